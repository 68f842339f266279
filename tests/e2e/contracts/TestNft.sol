// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// ERC-721 for the e2e tests: anyone can mint the next id to an address.
contract TestNft is ERC721 {
    uint256 public nextId = 1;

    constructor() ERC721("PWR Test NFT", "PTN") {}

    function mint(address to) external returns (uint256 id) {
        id = nextId++;
        _safeMint(to, id);
    }
}
