using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Tests.Execution;
using Pwr.Vm.Evm.Tracing;

namespace Pwr.Vm.Evm.Tests.Tracing;

public class StructLoggerTests
{
    private static readonly Address Callee = Address.Parse("0x00000000000000000000000000000000000000b0");

    private static (TransactionResult Result, StructLogger Logger) Trace(byte[] code, long gasLimit = 100_000,
        StructLoggerOptions options = default, Action<EvmHarness>? setUp = null, StructLogBudget? budget = null)
    {
        var h = new EvmHarness().WithCode(Convert.ToHexString(code));
        setUp?.Invoke(h);
        var logger = new StructLogger(options, budget: budget);
        var tx = new EvmTransaction { Sender = EvmHarness.Sender, To = EvmHarness.Contract, GasLimit = gasLimit, GasPrice = 1 };
        var result = EvmThread.Run(() => new TransactionProcessor(new WorldState(h.Backend), h.Block) { Steps = logger }.Execute(tx));
        return (result, logger);
    }

    private static string[] Ops(StructLogger logger) => logger.Steps.Select(s => OpcodeNames.Name(s.Op)).ToArray();

    [Fact]
    public void Each_opcode_is_logged_with_gas_before_it_its_cost_stack_and_the_storage_it_touched()
    {
        // PUSH1 2 PUSH1 3 ADD PUSH1 0 SSTORE PUSH1 0 SLOAD STOP
        byte[] code = [0x60, 0x02, 0x60, 0x03, 0x01, 0x60, 0x00, 0x55, 0x60, 0x00, 0x54, 0x00];
        var (result, logger) = Trace(code);

        Assert.True(result.Success);
        Assert.True(logger.Finished);
        Assert.False(logger.Failed);
        Assert.Equal(result.GasUsed, logger.GasUsed);
        Assert.Equal(["PUSH1", "PUSH1", "ADD", "PUSH1", "SSTORE", "PUSH1", "SLOAD", "STOP"], Ops(logger));
        Assert.Equal([0, 2, 4, 5, 7, 8, 10, 11], logger.Steps.Select(s => s.Pc));
        // A cold slot set from zero costs 22100, then a warm read 100.
        Assert.Equal([3L, 3, 3, 3, 22_100, 3, 100, 0], logger.Steps.Select(s => s.GasCost));
        Assert.All(logger.Steps, s => Assert.Equal(1, s.Depth));
        Assert.Equal(100_000 - 21_000, logger.Steps[0].Gas);
        for (int i = 1; i < logger.Steps.Count; i++) Assert.Equal(logger.Steps[i - 1].Gas - logger.Steps[i - 1].GasCost, logger.Steps[i].Gas);
        Assert.Equal(result.GasUsed, 21_000 + logger.Steps.Sum(s => s.GasCost));

        Assert.Equal([new UInt256(2), new UInt256(3)], logger.Steps[2].Stack!);
        Assert.Equal([new UInt256(5), UInt256.Zero], logger.Steps[4].Stack!);
        Assert.Null(logger.Steps[3].Storage);
        var stored = Assert.Single(logger.Steps[4].Storage!);
        Assert.Equal((UInt256.Zero, new UInt256(5)), (stored.Key, stored.Value));
        var read = Assert.Single(logger.Steps[6].Storage!);
        Assert.Equal(new UInt256(5), read.Value);
    }

    [Fact]
    public void A_call_costs_what_it_charges_plus_the_gas_it_forwards_and_the_callee_steps_one_level_deeper()
    {
        // The callee: PUSH1 1 POP STOP.
        var code = new Asm().Call(0xf1, 30_000, Callee, outLength: 32).Op(0x00).Build();
        var (result, logger) = Trace(code, setUp: h => h.Backend.SetAccount(Callee, 1, UInt256.Zero, [0x60, 0x01, 0x50, 0x00]));

        Assert.True(result.Success);
        int call = logger.Steps.ToList().FindIndex(s => s.Op == 0xf1);
        var callStep = logger.Steps[call];
        // Cold account 2600 + one word of memory for the output 3 + the 30000 passed on.
        Assert.Equal(2_600 + 3 + 30_000, callStep.GasCost);
        Assert.Equal(["PUSH1", "POP", "STOP"], logger.Steps.Skip(call + 1).Take(3).Select(s => OpcodeNames.Name(s.Op)));
        Assert.All(logger.Steps.Skip(call + 1).Take(3), s => Assert.Equal(2, s.Depth));
        Assert.Equal(30_000, logger.Steps[call + 1].Gas);
        // Back in the caller: POP of the success flag, with the callee's unused gas returned.
        var after = logger.Steps[call + 4];
        Assert.Equal((1, (byte)0x50), (after.Depth, after.Op));
        Assert.Equal(callStep.Gas - (2_600 + 3) - 5, after.Gas);
        Assert.Equal(UInt256.One, after.Stack![^1]);
    }

    [Fact]
    public void Running_out_of_gas_marks_the_failing_step_and_the_trace_as_failed_without_return_value()
    {
        // JUMPDEST PUSH1 0 JUMP, until the gas runs out.
        var (result, logger) = Trace([0x5b, 0x60, 0x00, 0x56], gasLimit: 21_100);

        Assert.False(result.Success);
        Assert.True(logger.Failed);
        Assert.Empty(logger.ReturnValue);
        Assert.Equal(21_100, logger.GasUsed);
        var last = logger.Steps[^1];
        Assert.Equal("out of gas", last.Error);
        Assert.True(last.Gas < OpcodeTable.BaseGas[last.Op]);
        Assert.All(logger.Steps.SkipLast(1), s => Assert.Null(s.Error));
    }

    [Fact]
    public void A_stack_underflow_is_the_steps_error_in_geths_words()
    {
        var (result, logger) = Trace([0x60, 0x01, 0x01]);

        Assert.False(result.Success);
        Assert.Equal(["PUSH1", "ADD"], Ops(logger));
        Assert.Equal("stack underflow (1 <=> 2)", logger.Steps[1].Error);
        Assert.Equal(3, logger.Steps[1].GasCost);
    }

    [Fact]
    public void A_bad_jump_fails_the_frame_but_leaves_the_jump_step_without_an_error()
    {
        var (result, logger) = Trace([0x60, 0x05, 0x56, 0x00]);

        Assert.False(result.Success);
        Assert.Equal(["PUSH1", "JUMP"], Ops(logger));
        Assert.Null(logger.Steps[1].Error);
        Assert.True(logger.Failed);
    }

    [Fact]
    public void A_revert_returns_its_data_and_undefined_opcodes_are_named_as_geth_does()
    {
        var (result, logger) = Trace(Asm.Returning([0xde, 0xad], revert: true));
        Assert.False(result.Success);
        Assert.True(logger.Failed);
        Assert.Equal([0xde, 0xad], logger.ReturnValue);
        Assert.Equal("REVERT", OpcodeNames.Name(logger.Steps[^1].Op));

        var (_, invalid) = Trace([0x0c]);
        Assert.Equal("opcode 0xc not defined", OpcodeNames.Name(Assert.Single(invalid.Steps).Op));
    }

    [Fact]
    public void Options_drop_the_stack_and_storage_add_memory_and_return_data_and_cap_the_count()
    {
        // MSTORE 0x2a at 0, SSTORE 1 at slot 0, STOP.
        var code = new Asm().Push(0x2a).Push(0).Op(0x52).Push(1).Push(0).Op(0x55).Op(0x00).Build();
        var (_, full) = Trace(code, options: new StructLoggerOptions(EnableMemory: true, DisableStack: true, DisableStorage: true, EnableReturnData: true));
        Assert.All(full.Steps, s => Assert.Null(s.Stack));
        Assert.All(full.Steps, s => Assert.Null(s.Storage));
        Assert.Empty(full.Steps[0].Memory!);
        var afterStore = full.Steps[3].Memory!;
        Assert.Equal(32, afterStore.Length);
        Assert.Equal(0x2a, afterStore[31]);

        var (result, capped) = Trace(code, options: new StructLoggerOptions(Limit: 2));
        Assert.True(result.Success);
        Assert.Equal(2, capped.Steps.Count);
    }

    [Fact]
    public void A_log_that_outgrows_its_byte_budget_stops_capturing_and_says_so()
    {
        // JUMPDEST PUSH1 0 JUMP until the gas runs out: about 8,000 entries of one or no stack item.
        var (_, unbounded) = Trace([0x5b, 0x60, 0x00, 0x56]);
        Assert.False(unbounded.OverBudget);
        Assert.True(unbounded.Steps.Count > 6_000);

        var budget = new StructLogBudget(10_000);
        var (result, bounded) = Trace([0x5b, 0x60, 0x00, 0x56], budget: budget);
        Assert.True(bounded.OverBudget);
        Assert.InRange(bounded.Steps.Count, 100, 200);
        Assert.False(result.Success);
        Assert.Equal(result.GasUsed, bounded.GasUsed);

        // A second transaction on the same budget (a traced block) finds it spent: twenty PUSH1s need 64 + 32 k bytes each.
        var (_, next) = Trace([.. Enumerable.Repeat(new byte[] { 0x60, 0x01 }, 20).SelectMany(b => b), 0x00], budget: budget);
        Assert.True(next.OverBudget);
        Assert.InRange(next.Steps.Count, 0, 2);
    }

    [Fact]
    public void Without_the_logger_the_same_transaction_gives_the_same_result()
    {
        var code = new Asm().Call(0xf1, 30_000, Callee, outLength: 32).Push(7).Push(1).Op(0x55).Op(0x00).Build();
        void SetUp(EvmHarness h) => h.Backend.SetAccount(Callee, 1, UInt256.Zero, [0x60, 0x01, 0x50, 0x00]);
        var (traced, _) = Trace(code, setUp: SetUp);
        var h = new EvmHarness().WithCode(Convert.ToHexString(code));
        SetUp(h);
        var plain = h.Call(gasLimit: 100_000);
        Assert.Equal((plain.Success, plain.GasUsed), (traced.Success, traced.GasUsed));
    }
}
