using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Tracing;

/// <summary>geth's callTracer: records one transaction's tree of call frames (and, with <see cref="WithLog"/>, their logs).</summary>
/// <remarks>Attach it with <see cref="TransactionProcessor.Tracer"/> for one transaction; read <see cref="Result"/> afterwards.
/// Logs are read from the world state's log list at each frame boundary rather than hooked in the LOG opcodes, so the
/// interpreter carries no tracing code for them.</remarks>
public sealed class CallTracer(bool onlyTopCall = false, bool withLog = false)
{
    // geth's error texts (core/vm/errors.go), which tools match on.
    internal const string ErrExecutionReverted = "execution reverted";
    internal const string ErrOutOfGas = "out of gas";
    internal const string ErrDepth = "max call depth exceeded";
    internal const string ErrInsufficientBalance = "insufficient balance for transfer";
    internal const string ErrNonceOverflow = "nonce uint64 overflow";
    internal const string ErrCollision = "contract address collision";
    internal const string ErrMaxCodeSize = "max code size exceeded";
    internal const string ErrInvalidCode = "invalid code: must not begin with 0xef";
    internal const string ErrCodeStoreOutOfGas = "contract creation code storage out of gas";

    private readonly List<CallFrame> _open = [];
    private int _depth = -1;
    private int _logsSeen;
    private string? _depositError;

    public bool OnlyTopCall { get; } = onlyTopCall;
    public bool WithLog { get; } = withLog;

    /// <summary>The top frame once the transaction ran; null when it was rejected before execution.</summary>
    public CallFrame? Result { get; private set; }

    private bool Records(int depth) => !OnlyTopCall || depth == 0;

    internal void Enter(CallKind kind, in Address from, in Address to, UInt256? value, ReadOnlySpan<byte> input, long gas, int depth, WorldState state)
    {
        // Logs since the last boundary belong to the parent, before this child in its call list.
        CollectLogs(state);
        _depth = depth;
        if (!Records(depth)) return;
        var frame = new CallFrame { Kind = kind, From = from, To = to, Value = value, Gas = gas, Input = input.ToArray() };
        if (_open.Count > 0) _open[^1].Calls.Add(frame);
        _open.Add(frame);
    }

    internal void Exit(in CallResult result, string? error, byte[] output, WorldState state)
    {
        CollectLogs(state);
        int depth = _depth--;
        if (!Records(depth)) return;
        var frame = _open[^1];
        _open.RemoveAt(_open.Count - 1);
        frame.GasUsed = frame.Gas - (result.Status == EvmStatus.Failure ? 0 : result.GasLeft);
        if (error is null)
        {
            frame.Output = output;
        }
        else
        {
            frame.Error = error;
            if (frame.Kind is CallKind.Create or CallKind.Create2) frame.To = null;
            // Only a REVERT keeps its data; geth decodes it when it is Error(string) or Panic(uint256).
            if (error == ErrExecutionReverted && output.Length > 0)
            {
                frame.Output = output;
                frame.RevertReason = SolidityRevert.Reason(output);
            }
        }
        if (_open.Count == 0) Result = frame;
    }

    internal void SelfDestruct(in Address self, in Address beneficiary, in UInt256 balance, WorldState state)
    {
        CollectLogs(state);
        // geth reports it as a zero-gas child frame of the destructing contract.
        if (OnlyTopCall || _open.Count == 0) return;
        _open[^1].Calls.Add(new CallFrame { Kind = CallKind.SelfDestruct, From = self, To = beneficiary, Value = balance });
    }

    /// <summary>Called by a create whose code deposit fails, in geth's order of checks.</summary>
    internal void DepositFailed(byte[] code, long gasLeft)
        => _depositError = code.Length > Execution.Evm.MaxCodeSize ? ErrMaxCodeSize
            : code.Length > 0 && code[0] == 0xEF ? ErrInvalidCode
            : ErrCodeStoreOutOfGas;

    internal string? TakeDepositError()
    {
        var error = _depositError;
        _depositError = null;
        return error;
    }

    /// <summary>geth's top frame reports the transaction's gas limit and the receipt's gas used; failed frames lose their logs.</summary>
    internal void EndTransaction(long gasLimit, long gasUsed)
    {
        if (Result is not { } top) return;
        top.Gas = gasLimit;
        top.GasUsed = gasUsed;
        if (WithLog) ClearFailedLogs(top, false);
    }

    private static void ClearFailedLogs(CallFrame frame, bool parentFailed)
    {
        bool failed = parentFailed || frame.Failed;
        if (failed) frame.Logs.Clear();
        foreach (var call in frame.Calls) ClearFailedLogs(call, failed);
    }

    private void CollectLogs(WorldState state)
    {
        if (!WithLog) return;
        var logs = state.Logs;
        // A failed frame's logs were removed by its revert; geth drops them from the trace as well.
        if (logs.Count <= _logsSeen)
        {
            _logsSeen = logs.Count;
            return;
        }
        if (_depth >= 0 && Records(_depth) && _open.Count > 0)
        {
            var frame = _open[^1];
            for (int i = _logsSeen; i < logs.Count; i++)
                frame.Logs.Add(new CallLog(logs[i].Address, logs[i].Topics, logs[i].Data, frame.Calls.Count));
        }
        _logsSeen = logs.Count;
    }
}
