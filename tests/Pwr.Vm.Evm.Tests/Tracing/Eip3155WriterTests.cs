using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.StateTests;
using Pwr.Vm.Evm.Tests.Execution;
using Pwr.Vm.Evm.Tests.Trie;
using Pwr.Vm.Evm.Tracing;

namespace Pwr.Vm.Evm.Tests.Tracing;

public class Eip3155WriterTests
{
    private static readonly Address Callee = Address.Parse("0x00000000000000000000000000000000000000b0");

    private static TransactionResult Run(StructLogger logger)
    {
        // CALL a callee that stores and returns 32 bytes, then STOP; the callee's steps come between the CALL and the POP.
        var code = new Asm().Call(0xf1, 30_000, Callee, outLength: 32).Op(0x00).Build();
        var h = new EvmHarness().WithCode(Convert.ToHexString(code));
        h.Backend.SetAccount(Callee, 1, UInt256.Zero, new Asm().Push(7).Push(0).Op(0x55).Push(32).Push(0).Op(0xf3).Build());
        var tx = new EvmTransaction { Sender = EvmHarness.Sender, To = EvmHarness.Contract, GasLimit = 100_000, GasPrice = 1 };
        return EvmThread.Run(() => new TransactionProcessor(new WorldState(h.Backend), h.Block) { Steps = logger }.Execute(tx));
    }

    [Fact]
    public void Streamed_entries_are_the_stored_ones_in_the_same_order_with_settled_costs()
    {
        var stored = new StructLogger(new StructLoggerOptions(EnableReturnData: true));
        Run(stored);
        var streamed = new List<StructLog>();
        var sinkLogger = new StructLogger(new StructLoggerOptions(EnableReturnData: true), streamed.Add);
        Run(sinkLogger);

        Assert.Empty(sinkLogger.Steps);
        Assert.True(sinkLogger.Finished);
        Assert.Equal(stored.Steps.Select(s => (s.Pc, s.Op, s.Gas, s.GasCost, s.Depth)), streamed.Select(s => (s.Pc, s.Op, s.Gas, s.GasCost, s.Depth)));
        Assert.Contains(streamed, s => s.Depth == 2);
    }

    [Fact]
    public void Each_opcode_is_one_json_line_with_the_fields_eip_3155_requires_then_a_summary()
    {
        var text = new StringWriter();
        var writer = new Eip3155Writer(text);
        var result = Run(writer.NewLogger());
        writer.WriteSummary(Hash32.Zero, result.Output, result.GasUsed, pass: true, "Cancun", TimeSpan.FromMilliseconds(1));

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var steps = lines[..^1];
        Assert.All(steps, s =>
        {
            foreach (var field in new[] { "pc", "op", "memSize", "depth" }) Assert.Equal(JsonValueKind.Number, s.GetProperty(field).ValueKind);
            foreach (var field in new[] { "gas", "gasCost", "returnData", "refund", "opName" })
                Assert.StartsWith(field == "opName" ? "" : "0x", s.GetProperty(field).GetString());
            Assert.Equal(JsonValueKind.Array, s.GetProperty("stack").ValueKind);
        });
        var call = steps.Single(s => s.GetProperty("opName").GetString() == "CALL");
        Assert.Equal(0xf1, call.GetProperty("op").GetInt32());
        Assert.Equal("0x" + (2_600 + 3 + 30_000).ToString("x"), call.GetProperty("gasCost").GetString());
        // After the call the caller's return data is the callee's 32-byte output, and its memory grew to one word.
        var pop = steps[steps.IndexOf(call) + 1 + steps.Count(s => s.GetProperty("depth").GetInt32() == 2)];
        Assert.Equal("POP", pop.GetProperty("opName").GetString());
        Assert.Equal(2 + 64, pop.GetProperty("returnData").GetString()!.Length);
        Assert.Equal(32, pop.GetProperty("memSize").GetInt32());

        var summary = lines[^1];
        Assert.Equal("0x" + result.GasUsed.ToString("x"), summary.GetProperty("gasUsed").GetString());
        Assert.True(summary.GetProperty("pass").GetBoolean());
        Assert.Equal("Cancun", summary.GetProperty("fork").GetString());
    }

    [Fact]
    public void A_state_test_traced_case_gets_its_summary_with_the_post_state_root()
    {
        var file = Path.Combine(FixtureFiles.Folder("ethereum-state-tests"), "stExample", "mergeTest.json");
        var traces = new List<StateTestTrace>();
        var steps = 0;
        var results = StateTestRunner.RunFile(file, observer: new StateTestObserver
        {
            LoggerFor = _ => new StructLogger(default, _ => steps++),
            CaseDone = traces.Add,
        });

        var result = Assert.Single(results);
        Assert.True(result.Passed, result.Message);
        var trace = Assert.Single(traces);
        Assert.Equal(result, trace.Verdict);
        Assert.NotEqual(Hash32.Zero, trace.Root);
        Assert.True(steps > 5);
    }
}
