using System.Runtime.CompilerServices;
using Pwr.Core;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Tracing;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Selects an instantiation of the interpreter loop: <see cref="PerOpcode"/> checks, charges and logs opcode by
/// opcode for the struct logger; <see cref="PerBlock"/> works per basic block.</summary>
internal interface IStepMode
{
    static abstract bool Stepped { get; }
}

internal readonly struct PerBlock : IStepMode
{
    public static bool Stepped => false;
}

internal readonly struct PerOpcode : IStepMode
{
    public static bool Stepped => true;
}

// The traced twins of Call and Create: they report frame enter and exit to the tracer around the untraced body and
// work out geth's error for the checks that the body answers without saying why. Kept out of the interpreter file so
// that tracing stays off its hot paths.
internal sealed partial class Evm
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private CallResult TracedCall(in Message msg, bool transfersValue)
    {
        var tracer = Tracer!;
        var kind = msg.Kind == 0 ? CallKind.Call : msg.Kind;
        // DELEGATECALL runs in the caller's context: the frame is "from" the contract that delegates. It carries the
        // parent's value, as geth reports it; STATICCALL carries none.
        var from = kind == CallKind.DelegateCall ? msg.Recipient : msg.Caller;
        UInt256? value = kind == CallKind.StaticCall ? null : msg.Value;
        tracer.Enter(kind, from, msg.CodeAddress, value, msg.Input.Span, msg.Gas, msg.Depth, _state);

        string? error = null;
        if (msg.Depth > MaxDepth) error = CallTracer.ErrDepth;
        else if (transfersValue && !msg.Value.IsZero && UInt256.LessThan(_state.GetBalance(msg.Caller), msg.Value))
            error = CallTracer.ErrInsufficientBalance;

        _lastHalt = null;
        var result = ExecuteCall(msg, transfersValue);
        tracer.Exit(result, error ?? StatusError(result.Status), result.Output, _state);
        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private CallResult TracedCreate(in Message msg, byte[] initCode, Address newAddress, bool bumpNonce)
    {
        var tracer = Tracer!;
        var kind = msg.Kind == CallKind.Create2 ? CallKind.Create2 : CallKind.Create;
        tracer.Enter(kind, msg.Caller, newAddress, msg.Value, initCode, msg.Gas, msg.Depth, _state);

        // The same checks, in the same order, as the body: it answers them with a bare revert or failure.
        string? error = null;
        if (msg.Depth > MaxDepth) error = CallTracer.ErrDepth;
        else if (!msg.Value.IsZero && UInt256.LessThan(_state.GetBalance(msg.Caller), msg.Value)) error = CallTracer.ErrInsufficientBalance;
        else if (bumpNonce && _state.GetNonce(msg.Caller) == ulong.MaxValue) error = CallTracer.ErrNonceOverflow;
        else if (_state.HasCollision(newAddress)) error = CallTracer.ErrCollision;

        _lastHalt = null;
        var result = ExecuteCreate(msg, initCode, newAddress, bumpNonce);
        // A failed code deposit was reported by the body (DepositFailed); success returns the deployed code, as geth does.
        error ??= tracer.TakeDepositError() ?? StatusError(result.Status);
        var output = result.Status == EvmStatus.Success ? _state.GetCode(newAddress).Code : result.Output;
        tracer.Exit(result, error, output, _state);
        return result;
    }

    /// <summary>Logs every opcode the transactions executed while set run (geth's struct logger); null: no cost.</summary>
    internal StructLogger? Steps { get; set; }

    /// <summary>Collects the addresses and slots the opcodes touch (eth_createAccessList); null: no cost.</summary>
    internal AccessListTracer? AccessList { get; set; }

    /// <summary>Whether a listener needs the opcode-by-opcode loop.</summary>
    private bool Stepping => Steps is not null || AccessList is not null;

    /// <summary>Runs a frame opcode by opcode for the struct logger and tells it how the frame ended.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private CallResult RunStepped(Frame frame)
    {
        var status = Interpret<PerOpcode>(frame);
        bool failed = status == EvmStatus.Failure;
        Steps?.EndFrame(frame.Msg.Depth, failed, frame.Halt != HaltReason.None, frame.GasLeft);
        if (!failed) return new CallResult(status, frame.GasLeft, frame.Output);
        if (Tracer is not null) _lastHalt = HaltError(frame.Halt, frame.HaltA, frame.HaltB);
        return CallResult.Fail();
    }

    /// <summary>
    /// Before each opcode while stepping: geth's checks in geth's order (stack, then constant gas), which the untraced
    /// loop does per basic block, then the log entry. Returns the gas left after the constant cost, or -1 when a check
    /// failed (the entry carries the error).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private long StepTraced(Frame f, byte op, nint pc, nint sp, long gas)
    {
        int height = (int)sp;
        string? error = null;
        int stackIn = OpcodeTable.StackIn[op], growth = OpcodeTable.StackGrowth[op];
        if (height < stackIn) { f.Halt = HaltReason.StackUnderflow; f.HaltA = height; f.HaltB = stackIn; }
        else if (height + growth > StackLimit) { f.Halt = HaltReason.StackOverflow; f.HaltA = height; f.HaltB = StackLimit - growth; }
        if (f.Halt != HaltReason.None) error = HaltError(f.Halt, f.HaltA, f.HaltB);
        else if (gas < OpcodeTable.BaseGas[op]) error = CallTracer.ErrOutOfGas;

        // The code's own byte: the loop reads undefined opcodes as INVALID, geth names them.
        var code = f.Code.Code;
        byte original = pc < code.Length ? code[(int)pc] : (byte)0x00;
        var stack = f.Stack.AsSpan(0, height);
        Steps?.Step(f.Msg.Depth, (int)pc, original, gas, stack, f.Memory.Span(0, f.Memory.Size),
            f.ReturnData, f.Msg.Recipient, _state.Refund, error, _state);
        AccessList?.Step(op, stack, f.Msg.Recipient);
        return error is null ? gas - OpcodeTable.BaseGas[op] : -1;
    }

    /// <summary>geth's text for why this frame's own code failed, set by <see cref="Run"/> while a tracer listens.</summary>
    private string? _lastHalt;

    private string? StatusError(EvmStatus status) => status switch
    {
        EvmStatus.Success => null,
        EvmStatus.Revert => CallTracer.ErrExecutionReverted,
        // A frame that failed before its code ran (a precompile, say) is out of gas, as geth reports it.
        _ => _lastHalt ?? CallTracer.ErrOutOfGas,
    };
}
