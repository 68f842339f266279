using System.Text;
using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc.Tests;

// debug_trace* on the devnet shared with the other EthRpcTests (one devnet per class fixture); sender account 8.
public partial class EthRpcTests
{
    /// <summary>Init code for a runtime of fewer than 256 bytes: CODECOPY it from behind a 12-byte prefix and return it.</summary>
    private static string Deployer(string runtime)
    {
        string length = (runtime.Length / 2).ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
        return "0x60" + length + "600c600039" + "60" + length + "6000f3" + runtime;
    }

    /// <summary>Solidity's Error("nope") revert payload, hex without 0x.</summary>
    private static readonly string NopeError = "08c379a0" + new string('0', 62) + "20" + new string('0', 63) + "4"
        + Convert.ToHexStringLower(Encoding.ASCII.GetBytes("nope")) + new string('0', 56);

    /// <summary>Runtime that reverts with Error("nope"): copies the 100-byte payload behind its 12-byte prefix.</summary>
    private static readonly string Reverter = "6064600c6000396064" + "6000fd" + NopeError;

    /// <summary>Runtime: slot 0 += 1 (so a second call in the same block costs less gas), LOG0, then CALLs
    /// <paramref name="reverter"/> with 100,000 gas and stops.</summary>
    private static string Caller(string reverter)
        => "600054600101600055" + "60006000a0" + "6000600060006000600073" + reverter[2..] + "620186a0f150" + "00";

    private async Task<(string Reverter, string Caller, JsonElement First, JsonElement Second)> DeployAndCallTwiceAsync()
    {
        const int from = 8;
        ulong nonce = await PendingNonceAsync(from);
        var reverter = (await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce, null, 0, Deployer(Reverter), gas: 300_000))).GetString()!))
            .GetProperty("contractAddress").GetString()!;
        var caller = (await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce + 1, null, 0, Deployer(Caller(reverter)), gas: 300_000))).GetString()!))
            .GetProperty("contractAddress").GetString()!;
        // Two calls in one batch: they usually share a block, where tracing the second must replay the first.
        var batch = JsonSerializer.Serialize(new[]
        {
            new { jsonrpc = "2.0", id = 1, method = "eth_sendRawTransaction", @params = new[] { Sign(from, nonce + 2, caller, 0, gas: 200_000) } },
            new { jsonrpc = "2.0", id = 2, method = "eth_sendRawTransaction", @params = new[] { Sign(from, nonce + 3, caller, 0, gas: 200_000) } },
        });
        var (_, sent) = await devnet.PostAsync(batch);
        var first = await devnet.WaitForReceiptAsync(sent[0].GetProperty("result").GetString()!);
        var second = await devnet.WaitForReceiptAsync(sent[1].GetProperty("result").GetString()!);
        return (reverter, caller, first, second);
    }

    [Fact]
    public async Task Trace_transaction_shows_the_call_tree_with_receipt_gas_revert_reason_and_logs()
    {
        var (reverter, caller, first, second) = await DeployAndCallTwiceAsync();
        var config = new { tracer = "callTracer", tracerConfig = new { withLog = true } };

        foreach (var receipt in new[] { first, second })
        {
            var top = await devnet.ResultAsync("debug_traceTransaction", receipt.GetProperty("transactionHash").GetString(), config);
            Assert.Equal("CALL", top.GetProperty("type").GetString());
            Assert.Equal(AnvilAccounts.AddressStrings[8].ToLowerInvariant(), top.GetProperty("from").GetString());
            Assert.Equal(caller, top.GetProperty("to").GetString());
            Assert.Equal("0x30d40", top.GetProperty("gas").GetString());
            Assert.Equal(receipt.GetProperty("gasUsed").GetString(), top.GetProperty("gasUsed").GetString());
            Assert.Equal("0x0", top.GetProperty("value").GetString());
            Assert.Equal("0x", top.GetProperty("input").GetString());
            Assert.False(top.TryGetProperty("error", out _));
            Assert.False(top.TryGetProperty("output", out _));
            var log = Assert.Single(top.GetProperty("logs").EnumerateArray());
            Assert.Equal(caller, log.GetProperty("address").GetString());
            Assert.Equal("0x0", log.GetProperty("position").GetString());

            var inner = Assert.Single(top.GetProperty("calls").EnumerateArray());
            Assert.Equal("CALL", inner.GetProperty("type").GetString());
            Assert.Equal(caller, inner.GetProperty("from").GetString());
            Assert.Equal(reverter, inner.GetProperty("to").GetString());
            Assert.Equal("0x186a0", inner.GetProperty("gas").GetString());
            Assert.Equal("execution reverted", inner.GetProperty("error").GetString());
            Assert.Equal("nope", inner.GetProperty("revertReason").GetString());
            Assert.Equal("0x" + NopeError, inner.GetProperty("output").GetString());
            Assert.False(inner.TryGetProperty("calls", out _));
            Assert.False(inner.TryGetProperty("logs", out _));
        }
        // The counter went 0 -> 1 then 1 -> 2: the second costs less, so a trace that skipped the first would not match it.
        Assert.NotEqual(first.GetProperty("gasUsed").GetString(), second.GetProperty("gasUsed").GetString());

        var onlyTop = await devnet.ResultAsync("debug_traceTransaction", second.GetProperty("transactionHash").GetString(), new { tracer = "callTracer", tracerConfig = new { onlyTopCall = true } });
        Assert.False(onlyTop.TryGetProperty("calls", out _));
        Assert.False(onlyTop.TryGetProperty("logs", out _));
        Assert.Equal(second.GetProperty("gasUsed").GetString(), onlyTop.GetProperty("gasUsed").GetString());
    }

    [Fact]
    public async Task Trace_block_returns_one_result_per_transaction_in_block_order()
    {
        var (_, _, first, second) = await DeployAndCallTwiceAsync();
        foreach (var receipt in new[] { first, second })
        {
            var block = await devnet.ResultAsync("eth_getBlockByNumber", receipt.GetProperty("blockNumber").GetString(), false);
            var hashes = block.GetProperty("transactions").EnumerateArray().Select(t => t.GetString()).ToList();
            var byNumber = await devnet.ResultAsync("debug_traceBlockByNumber", receipt.GetProperty("blockNumber").GetString(), new { tracer = "callTracer" });
            var byHash = await devnet.ResultAsync("debug_traceBlockByHash", block.GetProperty("hash").GetString(), new { tracer = "callTracer" });

            Assert.Equal(hashes, byNumber.EnumerateArray().Select(t => t.GetProperty("txHash").GetString()).ToList());
            Assert.Equal(byNumber.ToString(), byHash.ToString());
            foreach (var traced in byNumber.EnumerateArray())
            {
                var txReceipt = await devnet.ResultAsync("eth_getTransactionReceipt", traced.GetProperty("txHash").GetString());
                Assert.Equal(txReceipt.GetProperty("gasUsed").GetString(), traced.GetProperty("result").GetProperty("gasUsed").GetString());
            }
        }
    }

    [Fact]
    public async Task Trace_call_traces_on_scratch_state_and_keeps_reverts_in_the_trace()
    {
        var (reverter, caller, _, _) = await DeployAndCallTwiceAsync();
        var slotBefore = await devnet.ResultAsync("eth_getStorageAt", caller, "0x0", "latest");

        var top = await devnet.ResultAsync("debug_traceCall", new { from = AnvilAccounts.AddressStrings[8], to = caller, gas = "0x30d40" }, "latest", new { tracer = "callTracer" });
        Assert.Equal("0x30d40", top.GetProperty("gas").GetString());
        var inner = Assert.Single(top.GetProperty("calls").EnumerateArray());
        Assert.Equal(reverter, inner.GetProperty("to").GetString());
        Assert.Equal("nope", inner.GetProperty("revertReason").GetString());
        Assert.Equal(slotBefore.GetString(), (await devnet.ResultAsync("eth_getStorageAt", caller, "0x0", "latest")).GetString());

        // A call straight to the reverter: the top frame carries the error, the answer is still a trace.
        var reverted = await devnet.ResultAsync("debug_traceCall", new { to = reverter }, "latest", new { tracer = "callTracer" });
        Assert.Equal("execution reverted", reverted.GetProperty("error").GetString());
        Assert.Equal("nope", reverted.GetProperty("revertReason").GetString());
    }

    [Fact]
    public async Task Default_tracer_logs_every_opcode_as_geths_struct_logger()
    {
        var (reverter, _, first, second) = await DeployAndCallTwiceAsync();
        var hash = second.GetProperty("transactionHash").GetString();
        var trace = await devnet.ResultAsync("debug_traceTransaction", hash);

        Assert.Equal(Convert.ToInt64(second.GetProperty("gasUsed").GetString(), 16), trace.GetProperty("gas").GetInt64());
        Assert.False(trace.GetProperty("failed").GetBoolean());
        Assert.Equal("0x", trace.GetProperty("returnValue").GetString());
        var logs = trace.GetProperty("structLogs").EnumerateArray().ToList();
        var start = logs[0];
        Assert.Equal(0, start.GetProperty("pc").GetInt32());
        Assert.Equal("PUSH1", start.GetProperty("op").GetString());
        Assert.Equal(200_000 - 21_000, start.GetProperty("gas").GetInt64());
        Assert.Equal(3, start.GetProperty("gasCost").GetInt64());
        Assert.Equal(1, start.GetProperty("depth").GetInt32());
        Assert.Empty(start.GetProperty("stack").EnumerateArray());
        Assert.False(start.TryGetProperty("memory", out _));
        Assert.False(start.TryGetProperty("error", out _));

        // The first call of the block left slot 0 at 1 (this replay ran it first): SLOAD shows 1, SSTORE writes 2.
        string slot0 = new('0', 64);
        var sload = logs.Single(l => l.GetProperty("op").GetString() == "SLOAD");
        Assert.Equal(new string('0', 63) + "1", sload.GetProperty("storage").GetProperty(slot0).GetString());
        var sstore = logs.First(l => l.GetProperty("op").GetString() == "SSTORE");
        Assert.Equal(new string('0', 63) + "2", sstore.GetProperty("storage").GetProperty(slot0).GetString());
        Assert.Equal(["0x2", "0x0"], sstore.GetProperty("stack").EnumerateArray().Select(e => e.GetString()));

        // The reverter runs one level deeper and ends in REVERT; back in the caller the CALL pushed 0.
        var inner = logs.Where(l => l.GetProperty("depth").GetInt32() == 2).ToList();
        Assert.NotEmpty(inner);
        Assert.Equal("REVERT", inner[^1].GetProperty("op").GetString());
        Assert.Equal(100_000, inner[0].GetProperty("gas").GetInt64());
        int call = logs.FindIndex(l => l.GetProperty("op").GetString() == "CALL");
        Assert.Equal(reverter, "0x" + Digits(logs[call].GetProperty("stack").EnumerateArray().Reverse().ElementAt(1).GetString()!).PadLeft(40, '0'));
        Assert.Equal("0x0", logs[call + inner.Count + 1].GetProperty("stack").EnumerateArray().Last().GetString());

        var options = await devnet.ResultAsync("debug_traceTransaction", hash, new { disableStack = true, enableMemory = true, limit = 12 });
        var limited = options.GetProperty("structLogs").EnumerateArray().ToList();
        Assert.Equal(12, limited.Count);
        Assert.All(limited, l => Assert.False(l.TryGetProperty("stack", out _)));

        // debug_traceCall takes the same default; the first transaction's trace is its own.
        var call2 = await devnet.ResultAsync("debug_traceCall", new { to = reverter }, "latest");
        Assert.True(call2.GetProperty("failed").GetBoolean());
        Assert.Equal("0x" + NopeError, call2.GetProperty("returnValue").GetString());
        var firstTrace = await devnet.ResultAsync("debug_traceTransaction", first.GetProperty("transactionHash").GetString());
        Assert.Equal(new string('0', 63) + "1", firstTrace.GetProperty("structLogs").EnumerateArray()
            .First(l => l.GetProperty("op").GetString() == "SSTORE").GetProperty("storage").GetProperty(slot0).GetString());

        static string Digits(string quantity) => quantity[2..];
    }

    [Fact]
    public async Task Trace_requests_without_the_call_tracer_or_a_known_transaction_are_errors()
    {
        var head = await devnet.ResultAsync("eth_getBlockByNumber", "latest", false);
        var unknown = "0x" + new string('b', 64);
        AssertError(await devnet.CallAsync("debug_traceTransaction", unknown, new { tracer = "callTracer" }), -32000, "transaction not found");
        AssertError(await devnet.CallAsync("debug_traceTransaction", unknown), -32000, "transaction not found");
        AssertError(await devnet.CallAsync("debug_traceTransaction", unknown, new { limit = -1 }), -32602, "limit");
        AssertError(await devnet.CallAsync("debug_traceTransaction", unknown, new { enableMemory = "yes" }), -32602, "enableMemory");
        AssertError(await devnet.CallAsync("debug_traceTransaction", unknown, new { tracer = "prestateTracer" }), -32000, "transaction not found");
        AssertError(await devnet.CallAsync("debug_traceTransaction", unknown, new { tracer = "muxTracer" }), -32602, "tracer not found");
        AssertError(await devnet.CallAsync("debug_traceCall", new { to = AnvilAccounts.AddressStrings[0] }, "latest", new { tracer = "prestateTracer", tracerConfig = new { diffMode = 1 } }), -32602, "diffMode");
        AssertError(await devnet.CallAsync("debug_traceBlockByNumber", head.GetProperty("number").GetString(), new { tracer = "4byteTracer" }), -32602);
        AssertError(await devnet.CallAsync("debug_traceBlockByNumber", "0xffffff", new { tracer = "callTracer" }), -32000, "not found");
        AssertError(await devnet.CallAsync("debug_traceBlockByHash", unknown, new { tracer = "callTracer" }), -32000, "not found");
        AssertError(await devnet.CallAsync("debug_traceBlockByNumber", "0x0", new { tracer = "callTracer" }), -32000, "genesis is not traceable");
        AssertError(await devnet.CallAsync("debug_traceCall", new { to = AnvilAccounts.AddressStrings[0] }, "latest", new { tracer = "callTracer", tracerConfig = new { withLog = "yes" } }), -32602);
    }
}
