using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Tests.Execution;
using Pwr.Vm.Evm.Tracing;

namespace Pwr.Vm.Evm.Tests.Tracing;

public class CallTracerTests
{
    private static readonly Address B = Address.Parse("0x00000000000000000000000000000000000000b0");
    private static readonly Address C = Address.Parse("0x00000000000000000000000000000000000000c0");
    private static readonly Address D = Address.Parse("0x00000000000000000000000000000000000000d0");
    private static readonly Address Looper = Address.Parse("0x00000000000000000000000000000000000000e0");
    private static readonly Address Destructor = Address.Parse("0x00000000000000000000000000000000000000f0");
    private static readonly Address Beneficiary = Address.Parse("0x000000000000000000000000000000000000beef");
    private static readonly Address Identity = Address.Parse("0x0000000000000000000000000000000000000004");
    private static readonly Hash32 TopicOne = new(Enumerable.Repeat((byte)0x11, 32).ToArray());

    // PUSH1 1 PUSH1 0 RETURN: deploys the one-byte code 0x00.
    private static readonly byte[] InitCode = [0x60, 0x01, 0x60, 0x00, 0xf3];

    private static EvmHarness Harness(byte[] contractCode)
    {
        var h = new EvmHarness();
        h.Backend.SetAccount(EvmHarness.Contract, 1, new UInt256(1000), contractCode);
        // B: LOG1(topic 0x11.., no data), then returns 32 bytes (0x2a).
        var b = new Asm().Push(TopicOne.ToArray()).Push(0).Push(0).Op(0xa1).Push(0x2a).Push(0).Op(0x52).Push(32).Push(0).Op(0xf3).Build();
        h.Backend.SetAccount(B, 1, UInt256.Zero, b);
        h.Backend.SetAccount(C, 1, UInt256.Zero, Asm.Returning(Asm.ErrorString("nope"), revert: true));
        // D: SSTORE(0, 1) in the delegating contract's storage.
        h.Backend.SetAccount(D, 1, UInt256.Zero, new Asm().Push(1).Push(0).Op(0x55, 0x00).Build());
        // Looper: JUMPDEST PUSH1 0 JUMP, until its gas runs out.
        h.Backend.SetAccount(Looper, 1, UInt256.Zero, [0x5b, 0x60, 0x00, 0x56]);
        h.Backend.SetAccount(Destructor, 1, new UInt256(7), new Asm().Push(Beneficiary).Op(0xff).Build());
        return h;
    }

    private static (TransactionResult Result, CallFrame? Frame) Trace(EvmHarness h, CallTracer tracer, long gasLimit = 500_000, UInt256 value = default)
    {
        var tx = new EvmTransaction { Sender = EvmHarness.Sender, To = EvmHarness.Contract, GasLimit = gasLimit, GasPrice = 1, Value = value };
        return EvmThread.Run(() =>
        {
            var processor = new TransactionProcessor(new WorldState(h.Backend), h.Block) { Tracer = tracer };
            var result = processor.Execute(tx);
            return (result, tracer.Result);
        });
    }

    private static byte[] NestedCaller() => new Asm()
        .Call(0xf1, 100_000, B, value: 0, outLength: 32)
        .Call(0xfa, 100_000, C)
        .Call(0xf4, 100_000, D)
        .StoreAtZero(InitCode).Push(0x5a17).Push((ulong)InitCode.Length).Push(0).Push(0).Op(0xf5, 0x50)
        .Op(0x00).Build();

    [Fact]
    public void Nested_calls_form_a_tree_with_geth_kinds_addresses_and_values()
    {
        var h = Harness(NestedCaller());
        var (result, top) = Trace(h, new CallTracer(), value: new UInt256(5));

        Assert.True(result.Success);
        Assert.NotNull(top);
        Assert.Equal(CallKind.Call, top.Kind);
        Assert.Equal(EvmHarness.Sender, top.From);
        Assert.Equal(EvmHarness.Contract, top.To);
        Assert.Equal(new UInt256(5), top.Value);
        Assert.Equal(500_000, top.Gas);
        Assert.Equal(result.GasUsed, top.GasUsed);
        Assert.Null(top.Error);

        Assert.Equal([CallKind.Call, CallKind.StaticCall, CallKind.DelegateCall, CallKind.Create2], top.Calls.Select(c => c.Kind));
        var (call, staticCall, delegateCall, create2) = (top.Calls[0], top.Calls[1], top.Calls[2], top.Calls[3]);
        Assert.Equal((EvmHarness.Contract, B), (call.From, call.To!.Value));
        Assert.Equal(UInt256.Zero, call.Value);
        Assert.Equal(100_000, call.Gas);
        Assert.Equal(new UInt256(0x2a), new UInt256(call.Output));
        Assert.InRange(call.GasUsed, 1, call.Gas);

        Assert.Equal((EvmHarness.Contract, C), (staticCall.From, staticCall.To!.Value));
        Assert.Null(staticCall.Value);

        // DELEGATECALL is "from" the delegating contract and carries the transaction's value, as geth reports it.
        Assert.Equal((EvmHarness.Contract, D), (delegateCall.From, delegateCall.To!.Value));
        Assert.Equal(new UInt256(5), delegateCall.Value);
        Assert.Equal(22_100 + 6, delegateCall.GasUsed);

        Assert.Equal(EvmHarness.Contract, create2.From);
        Assert.Equal(global::Pwr.Vm.Evm.Execution.Evm.Create2Address(EvmHarness.Contract, new UInt256(0x5a17), InitCode), create2.To);
        Assert.Equal(InitCode, create2.Input);
        Assert.Equal([0x00], create2.Output);
        Assert.Equal(UInt256.Zero, create2.Value);
        Assert.Null(create2.Error);
    }

    [Fact]
    public void Tracing_leaves_gas_output_and_state_as_an_untraced_run_has_them()
    {
        var traced = Harness(NestedCaller());
        var plain = Harness(NestedCaller());
        var (tracedResult, _) = Trace(traced, new CallTracer(withLog: true));
        var plainResult = plain.Call(gasLimit: 500_000);

        Assert.Equal(plainResult.GasUsed, tracedResult.GasUsed);
        Assert.Equal(plainResult.Logs.Count, tracedResult.Logs.Count);
        Assert.Equal(plainResult.Success, tracedResult.Success);
    }

    [Fact]
    public void Reverted_inner_call_reports_error_and_revert_reason()
    {
        var h = Harness(new Asm().Call(0xf1, 100_000, C).Op(0x00).Build());
        var (result, top) = Trace(h, new CallTracer());

        Assert.True(result.Success);
        Assert.Null(top!.Error);
        var inner = Assert.Single(top.Calls);
        Assert.Equal("execution reverted", inner.Error);
        Assert.Equal("nope", inner.RevertReason);
        Assert.Equal(Asm.ErrorString("nope"), inner.Output);
        Assert.InRange(inner.GasUsed, 1, 100);
    }

    [Fact]
    public void Reverted_transaction_reports_the_reason_on_the_top_frame_and_the_receipt_gas()
    {
        var h = Harness(Asm.Returning(Asm.ErrorString("top says no"), revert: true));
        var (result, top) = Trace(h, new CallTracer(), gasLimit: 80_000);

        Assert.False(result.Success);
        Assert.Equal("execution reverted", top!.Error);
        Assert.Equal("top says no", top.RevertReason);
        Assert.Equal(80_000, top.Gas);
        Assert.Equal(result.GasUsed, top.GasUsed);
        Assert.True(top.GasUsed < 80_000);
    }

    [Fact]
    public void Out_of_gas_in_an_inner_frame_uses_all_its_gas_and_reports_out_of_gas()
    {
        var h = Harness(new Asm().Call(0xf1, 5_000, Looper).Op(0x00).Build());
        var (result, top) = Trace(h, new CallTracer());

        Assert.True(result.Success);
        var inner = Assert.Single(top!.Calls);
        Assert.Equal("out of gas", inner.Error);
        Assert.Equal(5_000, inner.Gas);
        Assert.Equal(5_000, inner.GasUsed);
        Assert.Empty(inner.Output);
        Assert.Null(inner.RevertReason);
    }

    private static readonly Address Failing = Address.Parse("0x00000000000000000000000000000000000000fa");

    public static TheoryData<string, byte, ulong, string> HaltCases() => new()
    {
        { "fe", 0xf1, 50_000, "invalid opcode: INVALID" },
        { "0c", 0xf1, 50_000, "invalid opcode: opcode 0xc not defined" },
        { "ef", 0xf1, 50_000, "invalid opcode: opcode 0xef not defined" },
        { "600056", 0xf1, 50_000, "invalid jump destination" },              // JUMP to a PUSH1
        { "605b6001565b", 0xf1, 50_000, "invalid jump destination" },        // JUMP onto a 0x5b inside PUSH data
        { "6001600057", 0xf1, 50_000, "invalid jump destination" },          // JUMPI taken to a PUSH1
        { "01", 0xf1, 50_000, "stack underflow (0 <=> 2)" },
        { "600101", 0xf1, 50_000, "stack underflow (1 <=> 2)" },
        { string.Concat(Enumerable.Repeat("5f", 1025)), 0xf1, 50_000, "stack limit reached 1024 (1023)" },
        { "5f5f5f01010101", 0xf1, 5, "out of gas" },                         // the third PUSH0 runs out before any ADD underflows
        { "6001600055", 0xfa, 50_000, "write protection" },                  // SSTORE under STATICCALL
        { "60016000a0", 0xfa, 50_000, "write protection" },                  // LOG0 under STATICCALL
        { "6001600060003e", 0xf1, 50_000, "return data out of bounds" },
    };

    [Theory]
    [MemberData(nameof(HaltCases))]
    public void A_failed_frame_reports_geths_reason_for_the_halt(string calleeHex, byte callOp, ulong gas, string expected)
    {
        var h = Harness(new Asm().Call(callOp, gas, Failing).Op(0x00).Build());
        h.Backend.SetAccount(Failing, 1, UInt256.Zero, Convert.FromHexString(calleeHex));
        var (result, top) = Trace(h, new CallTracer());

        Assert.True(result.Success);
        var inner = Assert.Single(top!.Calls);
        Assert.Equal(expected, inner.Error);
        Assert.Equal((long)gas, inner.GasUsed); // an exceptional halt consumes all of the frame's gas
        Assert.Null(top.Error);
    }

    [Fact]
    public void The_top_frame_reports_its_own_halt_after_a_child_failed_differently()
    {
        // The child fails with an invalid opcode; then the top frame jumps to a bad destination.
        var code = new Asm().Call(0xf1, 10_000, Failing).Push(0).Op(0x56).Build();
        var h = Harness(code);
        h.Backend.SetAccount(Failing, 1, UInt256.Zero, [0xfe]);
        var (result, top) = Trace(h, new CallTracer());

        Assert.False(result.Success);
        Assert.Equal("invalid jump destination", top!.Error);
        Assert.Equal("invalid opcode: INVALID", Assert.Single(top.Calls).Error);
    }

    [Fact]
    public void Precompile_call_is_a_frame_with_its_input_output_and_cost()
    {
        // Identity over the three bytes 0xabcdef stored at memory 0.
        var code = new Asm().StoreAtZero([0xab, 0xcd, 0xef]).Call(0xfa, 10_000, Identity, inLength: 3, outOffset: 32, outLength: 3).Op(0x00).Build();
        var (_, top) = Trace(Harness(code), new CallTracer());

        var inner = Assert.Single(top!.Calls);
        Assert.Equal(CallKind.StaticCall, inner.Kind);
        Assert.Equal(Identity, inner.To);
        Assert.Equal([0xab, 0xcd, 0xef], inner.Input);
        Assert.Equal([0xab, 0xcd, 0xef], inner.Output);
        Assert.Equal(15 + 3, inner.GasUsed);
    }

    [Fact]
    public void Selfdestruct_is_a_zero_gas_child_frame_carrying_the_balance()
    {
        var (result, top) = Trace(Harness(new Asm().Call(0xf1, 50_000, Destructor).Op(0x00).Build()), new CallTracer());

        Assert.True(result.Success);
        var destructor = Assert.Single(top!.Calls);
        var selfDestruct = Assert.Single(destructor.Calls);
        Assert.Equal(CallKind.SelfDestruct, selfDestruct.Kind);
        Assert.Equal((Destructor, Beneficiary), (selfDestruct.From, selfDestruct.To!.Value));
        Assert.Equal(new UInt256(7), selfDestruct.Value);
        Assert.Equal((0L, 0L), (selfDestruct.Gas, selfDestruct.GasUsed));
    }

    private static byte[] LoggingCaller() => new Asm()
        .Push(0).Push(0).Op(0xa0)                  // LOG0 before any call: position 0
        .Call(0xf1, 100_000, B)                    // B logs inside its own frame
        .Push(0).Push(0).Op(0xa0)                  // LOG0 after one call: position 1
        .Call(0xf1, 100_000, C)                    // C reverts: nothing of it is logged
        .Op(0x00).Build();

    [Fact]
    public void With_log_records_each_frames_logs_at_their_call_position()
    {
        var (result, top) = Trace(Harness(LoggingCaller()), new CallTracer(withLog: true));

        Assert.True(result.Success);
        Assert.Equal([0, 1], top!.Logs.Select(l => l.Position));
        Assert.All(top.Logs, l => Assert.Equal(EvmHarness.Contract, l.Address));
        var bLog = Assert.Single(top.Calls[0].Logs);
        Assert.Equal(B, bLog.Address);
        Assert.Equal([TopicOne], bLog.Topics);
        Assert.Equal(0, bLog.Position);
        Assert.Empty(top.Calls[1].Logs);
    }

    [Fact]
    public void Logs_of_a_failed_frame_and_its_children_are_dropped()
    {
        // The contract calls B (which logs) and then reverts itself: geth clears the logs of the whole failed tree.
        var code = new Asm().Push(0).Push(0).Op(0xa0).Call(0xf1, 100_000, B).Push(0).Push(0).Op(0xfd).Build();
        var (result, top) = Trace(Harness(code), new CallTracer(withLog: true));

        Assert.False(result.Success);
        Assert.Empty(top!.Logs);
        Assert.Empty(Assert.Single(top.Calls).Logs);
    }

    [Fact]
    public void Without_with_log_no_logs_are_recorded()
    {
        var (_, top) = Trace(Harness(LoggingCaller()), new CallTracer());
        Assert.Empty(top!.Logs);
        Assert.Empty(top.Calls[0].Logs);
    }

    [Fact]
    public void Only_top_call_records_the_top_frame_and_its_own_logs_only()
    {
        var (result, top) = Trace(Harness(LoggingCaller()), new CallTracer(onlyTopCall: true, withLog: true));

        Assert.True(result.Success);
        Assert.Empty(top!.Calls);
        Assert.Equal(2, top.Logs.Count);
        Assert.All(top.Logs, l => Assert.Equal(EvmHarness.Contract, l.Address));
        Assert.Equal(result.GasUsed, top.GasUsed);
    }

    [Fact]
    public void Failed_create_has_no_to_and_says_why()
    {
        // Init code returning one 0xEF byte: EIP-3541 refuses the deposit.
        byte[] initCode = [0x60, 0xef, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3];
        var h = new EvmHarness();
        var tracer = new CallTracer();
        var tx = new EvmTransaction { Sender = EvmHarness.Sender, GasLimit = 100_000, GasPrice = 1, Data = initCode };
        var result = EvmThread.Run(() => new TransactionProcessor(new WorldState(h.Backend), h.Block) { Tracer = tracer }.Execute(tx));

        Assert.False(result.Success);
        var top = tracer.Result!;
        Assert.Equal(CallKind.Create, top.Kind);
        Assert.Null(top.To);
        Assert.Equal("invalid code: must not begin with 0xef", top.Error);
        Assert.Equal(initCode, top.Input);
        Assert.Equal(100_000, top.GasUsed);
    }

    [Fact]
    public void Rejected_transaction_leaves_no_trace()
    {
        var h = Harness([0x00]);
        var tracer = new CallTracer();
        var tx = new EvmTransaction { Sender = EvmHarness.Sender, To = EvmHarness.Contract, GasLimit = 20_000, GasPrice = 1 };
        var result = EvmThread.Run(() => new TransactionProcessor(new WorldState(h.Backend), h.Block) { Tracer = tracer }.Execute(tx));

        Assert.False(result.IsValid);
        Assert.Null(tracer.Result);
    }

    [Theory]
    [InlineData("4e487b710000000000000000000000000000000000000000000000000000000000000011", "arithmetic underflow or overflow")]
    [InlineData("4e487b710000000000000000000000000000000000000000000000000000000000000001", "assert(false)")]
    [InlineData("4e487b710000000000000000000000000000000000000000000000000000000000000099", "unknown panic code: 0x99")]
    [InlineData("deadbeef00", null)]
    [InlineData("08c379a0", null)]
    public void Revert_reason_decodes_panics_and_refuses_other_data(string hex, string? expected)
        => Assert.Equal(expected, SolidityRevert.Reason(Hex.Decode(hex)));
}
