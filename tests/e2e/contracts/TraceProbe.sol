// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Calls another probe in every way the call tracer reports: CALL (with a log), STATICCALL, and a CALL that reverts
/// with a reason, caught so that the transaction itself succeeds.
contract TraceProbe {
    event Poked(uint256 value);

    uint256 public count;

    function poke(uint256 value) external returns (uint256) {
        count += value;
        emit Poked(value);
        return value * 2;
    }

    // Not view: Solidity would STATICCALL it. The increment is undone by the revert.
    function fail(string calldata why) external {
        count += 1;
        revert(why);
    }

    function run(TraceProbe other) external returns (uint256 doubled) {
        doubled = other.poke(7);
        other.count();
        try other.fail("nope") {} catch {}
    }
}
