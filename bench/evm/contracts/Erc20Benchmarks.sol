// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PwrToken} from "./PwrToken.sol";

/// @notice Shared set-up: each benchmark contract owns a fresh token holding the whole supply.
abstract contract TokenBench {
    PwrToken public immutable token;

    constructor() {
        token = new PwrToken(type(uint128).max);
    }

    // Distinct recipients, so every iteration writes a fresh balance slot (the realistic, expensive case).
    function _recipient(uint256 i) internal pure returns (address) {
        return address(uint160(0x10000 + i));
    }
}

/// @notice n external ERC-20 transfer calls to distinct recipients.
contract Erc20TransferBench is TokenBench {
    function run(uint256 n) external returns (uint256 moved) {
        for (uint256 i = 0; i < n; ++i) {
            token.transfer(_recipient(i), i + 1);
            moved += i + 1;
        }
    }
}

/// @notice n external mint calls (the bench contract is the token's owner).
contract Erc20MintBench is TokenBench {
    function run(uint256 n) external returns (uint256 supply) {
        for (uint256 i = 0; i < n; ++i) {
            token.mint(_recipient(i), i + 1);
        }
        supply = token.totalSupply();
    }
}

/// @notice n rounds of approve then transferFrom (spender = this contract, spending its own allowance).
contract Erc20ApprovalTransferBench is TokenBench {
    function run(uint256 n) external returns (uint256 moved) {
        for (uint256 i = 0; i < n; ++i) {
            token.approve(address(this), i + 1);
            token.transferFrom(address(this), _recipient(i), i + 1);
            moved += i + 1;
        }
    }
}
