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
                frame.RevertReason = DecodeRevertReason(output);
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

    private static readonly string?[] PanicReasons = BuildPanicReasons();

    /// <summary>Solidity's Error(string) message or Panic(uint256) meaning (geth's abi.UnpackRevert); null otherwise.</summary>
    public static string? DecodeRevertReason(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4) return null;
        uint selector = (uint)(data[0] << 24 | data[1] << 16 | data[2] << 8 | data[3]);
        var args = data[4..];
        if (selector == 0x08c379a0)
        {
            if (args.Length < 32) return null;
            var offset = new UInt256(args[..32]);
            if (!offset.FitsInUlong || offset.U0 > (ulong)args.Length - 32) return null;
            int at = (int)offset.U0;
            var length = new UInt256(args.Slice(at, 32));
            if (!length.FitsInUlong || length.U0 > (ulong)(args.Length - at - 32)) return null;
            return System.Text.Encoding.UTF8.GetString(args.Slice(at + 32, (int)length.U0));
        }
        if (selector == 0x4e487b71)
        {
            if (args.Length < 32) return null;
            var code = new UInt256(args[..32]);
            if (code.FitsInUlong && code.U0 < (ulong)PanicReasons.Length && PanicReasons[code.U0] is { } reason) return reason;
            return "unknown panic code: 0x" + code.ToBigInteger().ToString("x", System.Globalization.CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0');
        }
        return null;
    }

    private static string?[] BuildPanicReasons()
    {
        // Solidity's panic codes, worded as geth (after ethers) words them.
        var reasons = new string?[0x52];
        reasons[0x00] = "generic panic";
        reasons[0x01] = "assert(false)";
        reasons[0x11] = "arithmetic underflow or overflow";
        reasons[0x12] = "division or modulo by zero";
        reasons[0x21] = "enum overflow";
        reasons[0x22] = "invalid encoded storage byte array accessed";
        reasons[0x31] = "out-of-bounds array access; popping on an empty array";
        reasons[0x32] = "out-of-bounds access of an array or bytesN";
        reasons[0x41] = "out of memory";
        reasons[0x51] = "uninitialized function";
        return reasons;
    }
}
