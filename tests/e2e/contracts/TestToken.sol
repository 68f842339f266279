// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// ERC-20 for the e2e tests: the deployer gets the initial supply; failWith reverts with a reason string.
contract TestToken is ERC20 {
    constructor(uint256 initialSupply) ERC20("PWR Test Token", "PTT") {
        _mint(msg.sender, initialSupply);
    }

    function failWith(string calldata reason) external pure {
        revert(reason);
    }

    function mustBePositive(uint256 x) external pure returns (uint256) {
        require(x > 0, "TestToken: x must be positive");
        return x;
    }
}
