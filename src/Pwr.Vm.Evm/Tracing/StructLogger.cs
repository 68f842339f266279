using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Tracing;

/// <summary>What geth's default struct logger captures per opcode (its logger.Config); <see cref="Limit"/> (entries) 0 is
/// no limit.</summary>
public readonly record struct StructLoggerOptions(
    bool EnableMemory = false, bool DisableStack = false, bool DisableStorage = false, bool EnableReturnData = false, int Limit = 0);

/// <summary>How many bytes of captured stack, memory, return data and storage (roughly) struct loggers may keep, shared by
/// the loggers of one request (a block's transactions); not thread-safe.</summary>
public sealed class StructLogBudget(long bytes)
{
    public long Bytes { get; } = bytes;
    private long _left = bytes;

    /// <summary>Takes <paramref name="bytes"/>; false (taking nothing) when that would overdraw it.</summary>
    internal bool TrySpend(long bytes)
    {
        if (bytes > _left) return false;
        _left -= bytes;
        return true;
    }
}

/// <summary>One executed opcode as geth's struct logger reports it: the frame's state just before the opcode runs.</summary>
public sealed class StructLog
{
    public required int Pc { get; init; }
    /// <summary>The opcode byte in the contract's code (undefined ones included).</summary>
    public required byte Op { get; init; }
    /// <summary>Gas left before the opcode.</summary>
    public required long Gas { get; init; }
    /// <summary>Constant plus dynamic cost; for calls it includes the gas passed to the callee, as geth's does.</summary>
    public long GasCost { get; internal set; }
    /// <summary>1 for the transaction's own frame.</summary>
    public required int Depth { get; init; }
    /// <summary>Set when the opcode failed its stack or gas check (geth's error text).</summary>
    public string? Error { get; internal set; }
    /// <summary>Bottom first; null when the stack is not captured.</summary>
    public UInt256[]? Stack { get; init; }
    public byte[]? Memory { get; init; }
    /// <summary>Active memory in bytes, always recorded (EIP-3155's memSize).</summary>
    public long MemorySize { get; init; }
    public byte[]? ReturnData { get; init; }
    /// <summary>At SLOAD and SSTORE: the slots of this contract the transaction has read or written so far, key order.</summary>
    public KeyValuePair<UInt256, UInt256>[]? Storage { get; init; }
    public long Refund { get; init; }

    /// <summary>Its cost is settled: nothing that runs later changes it.</summary>
    internal bool Settled { get; set; }
}

/// <summary>
/// geth's default tracer for debug_trace*: a log entry per executed opcode of one transaction, with gas, cost, depth,
/// stack and, as configured, memory, return data and storage. The interpreter runs opcode by opcode while it listens.
/// </summary>
/// <param name="sink">When set, each entry goes there, in execution order, as soon as its cost is settled, and is not
/// kept (<see cref="Steps"/> stays empty): a trace of any length in bounded memory (EIP-3155 output).</param>
/// <param name="budget">When set, kept entries draw on it and capturing stops (<see cref="OverBudget"/>) once it is spent.</param>
public sealed class StructLogger(StructLoggerOptions options = default, Action<StructLog>? sink = null, StructLogBudget? budget = null)
{
    private readonly List<StructLog> _steps = [];
    // Streaming: entries not yet handed to the sink; the first one waits for its cost (a frame's open step).
    private readonly Queue<StructLog> _unsettled = new();
    private int _streamed;
    // Per call depth: the frame's last step, whose cost is settled by what runs next in that frame (unless a call or
    // create settled it already); null when none waits.
    private readonly StructLog?[] _open = new StructLog?[Execution.Evm.MaxDepth + 2];
    private readonly Dictionary<Address, SortedDictionary<UInt256, UInt256>> _storage = [];

    public StructLoggerOptions Options => options;

    /// <summary>True when capturing stopped because the entries outgrew the budget.</summary>
    public bool OverBudget { get; private set; }
    public IReadOnlyList<StructLog> Steps => _steps;

    /// <summary>True once a transaction ran to its end with this tracer attached (an invalid one never starts).</summary>
    public bool Finished { get; private set; }
    public long GasUsed { get; private set; }
    public bool Failed { get; private set; }
    /// <summary>The output when the transaction succeeded, the revert data when it reverted, empty when it failed otherwise.</summary>
    public byte[] ReturnValue { get; private set; } = [];

    /// <summary>Records the opcode at <paramref name="pc"/> of a frame at EVM depth <paramref name="depth"/> (0 for the
    /// transaction's own frame) about to run with <paramref name="gas"/> left; settles the cost of the frame's previous step.</summary>
    internal void Step(int depth, int pc, byte op, long gas, ReadOnlySpan<UInt256> stack, ReadOnlySpan<byte> memory,
        byte[] returnData, in Address self, long refund, string? error, WorldState state)
    {
        Close(depth, gas);
        if (options.Limit > 0 && _steps.Count + _streamed + _unsettled.Count >= options.Limit || OverBudget) return;

        KeyValuePair<UInt256, UInt256>[]? storage = null;
        if (!options.DisableStorage && error is null && (op == 0x54 && stack.Length >= 1 || op == 0x55 && stack.Length >= 2))
        {
            if (!_storage.TryGetValue(self, out var slots)) _storage[self] = slots = [];
            var key = stack[^1];
            slots[key] = op == 0x54 ? state.PeekStorage(self, key) : stack[^2];
            storage = [.. slots];
        }
        var step = new StructLog
        {
            Pc = pc,
            Op = op,
            Gas = gas,
            GasCost = OpcodeTable.BaseGas[op],
            Depth = depth + 1,
            Error = error,
            Stack = options.DisableStack ? null : stack.ToArray(),
            Memory = options.EnableMemory ? memory.ToArray() : null,
            MemorySize = memory.Length,
            ReturnData = options.EnableReturnData ? returnData : null,
            Storage = storage,
            Refund = refund,
        };
        _open[depth] = step;
        if (sink is not null)
        {
            _unsettled.Enqueue(step);
            return;
        }
        long size = 64 + (step.Stack?.Length ?? 0) * 32L + (step.Memory?.Length ?? 0) + (step.ReturnData?.Length ?? 0) + (storage?.Length ?? 0) * 64L;
        if (budget is not null && !budget.TrySpend(size))
        {
            OverBudget = true;
            _open[depth] = null;
            return;
        }
        _steps.Add(step);
    }

    /// <summary>Hands the settled entries at the head of the queue to the sink, in order.</summary>
    private void Flush()
    {
        while (_unsettled.TryPeek(out var first) && first.Settled)
        {
            sink!(_unsettled.Dequeue());
            _streamed++;
        }
    }

    /// <summary>A call or create at <paramref name="depth"/> has charged its own cost and has <paramref name="gasLeft"/>;
    /// its step's cost is that plus <paramref name="forwarded"/> (the callee's gas, without the stipend, for calls).</summary>
    internal void CallCost(int depth, long gasLeft, long forwarded)
    {
        if (_open[depth] is not { } step) return;
        step.GasCost = step.Gas - gasLeft + forwarded;
        step.Settled = true;
        if (sink is not null) Flush();
    }

    /// <summary>The frame at <paramref name="depth"/> ended: with <paramref name="gasLeft"/> when it stopped, returned or
    /// reverted; when it failed, its last step is the opcode that failed (out of gas unless <paramref name="halted"/>).</summary>
    internal void EndFrame(int depth, bool failed, bool halted, long gasLeft)
    {
        if (_open[depth] is { } step && failed)
        {
            // geth names a failed gas check on the step itself; other failures (a bad jump, a write in a static call) it
            // reports on the frame only.
            if (step.Error is null && !halted) step.Error = CallTracer.ErrOutOfGas;
            _open[depth] = null;
            step.Settled = true;
            if (sink is not null) Flush();
            return;
        }
        Close(depth, gasLeft);
    }

    internal void EndTransaction(long gasUsed, bool success, bool reverted, byte[] output)
    {
        // Every frame has ended, so every entry is settled.
        if (sink is not null) Flush();
        GasUsed = gasUsed;
        Failed = !success;
        ReturnValue = success || reverted ? output : [];
        Finished = true;
    }

    private void Close(int depth, long gasNow)
    {
        if (_open[depth] is not { } previous) return;
        if (!previous.Settled) previous.GasCost = previous.Gas - gasNow;
        _open[depth] = null;
        previous.Settled = true;
        if (sink is not null) Flush();
    }
}
