using System.Runtime.CompilerServices;
using Pwr.Core;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Tracing;

namespace Pwr.Vm.Evm.Execution;

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
