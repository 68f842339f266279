using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Tracing;

/// <summary>One call frame as geth's callTracer reports it, with its child frames in execution order.</summary>
public sealed class CallFrame
{
    public CallKind Kind { get; init; }
    public Address From { get; init; }
    /// <summary>Callee, or the new contract of a create; null for a create that failed (geth drops it).</summary>
    public Address? To { get; internal set; }
    /// <summary>Value moved (DELEGATECALL: the parent's); null for STATICCALL.</summary>
    public UInt256? Value { get; init; }
    /// <summary>Gas given to the frame; for the top frame, the transaction's gas limit.</summary>
    public long Gas { get; internal set; }
    /// <summary>Gas the frame used; for the top frame, the receipt's gas used (after refunds).</summary>
    public long GasUsed { get; internal set; }
    public byte[] Input { get; init; } = [];
    /// <summary>Return data (a create's deployed code) or revert data; empty after any other failure.</summary>
    public byte[] Output { get; internal set; } = [];
    /// <summary>geth's error text ("execution reverted", "out of gas", ...); null when the frame succeeded.</summary>
    public string? Error { get; internal set; }
    /// <summary>The decoded Error(string) or Panic(uint256) of a revert.</summary>
    public string? RevertReason { get; internal set; }
    public List<CallFrame> Calls { get; } = [];
    /// <summary>Logs the frame emitted (withLog only); cleared when the frame or an ancestor failed.</summary>
    public List<CallLog> Logs { get; } = [];

    public bool Failed => Error is not null;
}
