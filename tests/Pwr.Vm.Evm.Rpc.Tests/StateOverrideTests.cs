namespace Pwr.Vm.Evm.Rpc.Tests;

// geth's state and block overrides for eth_call, eth_estimateGas and debug_traceCall, on the devnet shared with the
// other EthRpcTests. Nothing here sends a transaction: overrides live only for the call.
public partial class EthRpcTests
{
    private const string Target = "0x00000000000000000000000000000000000c0de1";
    private const string Unfunded = "0x00000000000000000000000000000000000000f1";
    /// <summary>Returns storage slot 0.</summary>
    private const string ReturnSlot0 = "0x60005460005260206000f3";
    private static readonly string Slot0 = "0x" + new string('0', 64);

    private static Dictionary<string, object> Override(string address, object account) => new() { [address] = account };

    [Fact]
    public async Task Calls_see_overridden_code_storage_balance_and_block_without_anything_written()
    {
        var slot = await devnet.ResultAsync("eth_call", new { to = Target }, "latest",
            Override(Target, new { code = ReturnSlot0, stateDiff = new Dictionary<string, string> { [Slot0] = Word(42) } }));
        Assert.Equal(Word(42), slot.GetString());

        // CALLER BALANCE: the caller's balance as overridden.
        var overrides = Override(Target, new { code = "0x333160005260206000f3" });
        overrides[Unfunded] = new { balance = "0x1234" };
        Assert.Equal(Word(0x1234), (await devnet.ResultAsync("eth_call", new { from = Unfunded, to = Target }, "latest", overrides)).GetString());

        // NUMBER and COINBASE under block overrides.
        var number = await devnet.ResultAsync("eth_call", new { to = Target }, "latest", Override(Target, new { code = "0x4360005260206000f3" }), new { number = "0x77" });
        Assert.Equal(Word(0x77), number.GetString());
        var coinbase = await devnet.ResultAsync("eth_call", new { to = Target }, "latest", Override(Target, new { code = "0x4160005260206000f3" }),
            new { feeRecipient = Unfunded });
        Assert.Equal(Word(0xf1), coinbase.GetString());

        Assert.Equal("0x", (await devnet.ResultAsync("eth_getCode", Target, "latest")).GetString());
        Assert.Equal("0x0", (await devnet.ResultAsync("eth_getBalance", Unfunded, "latest")).GetString());
    }

    [Fact]
    public async Task Estimate_and_trace_take_overrides_and_bad_overrides_are_invalid_params()
    {
        var call = new { from = Unfunded, to = Target, value = "0x1000" };
        AssertError(await devnet.CallAsync("eth_estimateGas", call, "latest"), -32000, "insufficient funds");
        Assert.Equal(21_000, Q(await devnet.ResultAsync("eth_estimateGas", call, "latest", Override(Unfunded, new { balance = "0xffffffffffff" }))));

        // `state` replaces the whole storage; debug_traceCall takes the overrides inside its config, as geth's does.
        var trace = await devnet.ResultAsync("debug_traceCall", new { to = Target }, "latest", new
        {
            tracer = "callTracer",
            stateOverrides = Override(Target, new { code = ReturnSlot0, state = new Dictionary<string, string> { [Slot0] = Word(7) } }),
        });
        Assert.Equal(Word(7), trace.GetProperty("output").GetString());

        // eth_createAccessList runs the overridden code: its SLOAD puts the slot in the list.
        var list = await devnet.ResultAsync("eth_createAccessList", new { to = Target }, "latest", Override(Target, new { code = ReturnSlot0 }));
        var entry = Assert.Single(list.GetProperty("accessList").EnumerateArray());
        Assert.Equal(Target, entry.GetProperty("address").GetString());
        Assert.Equal([Slot0], entry.GetProperty("storageKeys").EnumerateArray().Select(k => k.GetString()));

        AssertError(await devnet.CallAsync("eth_call", new { to = Target }, "latest", Override(Target, new { state = new { }, stateDiff = new { } })), -32602, "both");
        AssertError(await devnet.CallAsync("eth_call", new { to = Target }, "latest", Override("0x12", new { balance = "0x1" })), -32602, "not an address");
        AssertError(await devnet.CallAsync("eth_call", new { to = Target }, "latest", Override(Target, new { stateDiff = new Dictionary<string, string> { ["0x1"] = Word(1) } })), -32602, "slot");
        AssertError(await devnet.CallAsync("eth_call", new { to = Target }, "latest", new { }, new { blobBaseFee = "0x1" }), -32602, "blobBaseFee");
    }
}
