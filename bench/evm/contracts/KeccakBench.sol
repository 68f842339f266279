// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A chain of n keccak256 hashes over a 64-byte buffer (the previous digest and the counter).
contract KeccakBench {
    function run(uint256 n) external pure returns (bytes32 h) {
        h = bytes32(uint256(0x505752));
        for (uint256 i = 0; i < n; ++i) {
            h = keccak256(abi.encodePacked(h, i));
        }
    }
}
