using System.Text.Json;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc.Tests;

// eth_createAccessList, eth_getBlockReceipts and eth_blobBaseFee on the devnet shared with the other EthRpcTests.
public partial class EthRpcTests
{
    [Fact]
    public async Task Create_access_list_names_the_called_contract_and_the_recipients_slots_and_counts_its_gas()
    {
        var (reverter, caller, _, _) = await DeployAndCallTwiceAsync();
        var from = AnvilAccounts.AddressStrings[8];
        var answer = await devnet.ResultAsync("eth_createAccessList", new { from, to = caller, gas = "0x30d40" }, "latest");

        // The caller (the recipient) is no address of its own but keeps slot 0; the reverter it CALLs has no slots.
        var list = answer.GetProperty("accessList").EnumerateArray().ToDictionary(e => e.GetProperty("address").GetString()!,
            e => e.GetProperty("storageKeys").EnumerateArray().Select(k => k.GetString()!).ToArray());
        Assert.Equal(2, list.Count);
        Assert.Equal(["0x" + new string('0', 64)], list[caller]);
        Assert.Empty(list[reverter]);
        Assert.False(answer.TryGetProperty("error", out _));

        // The reported gas is the call's with the list: an estimate given the same list agrees.
        var withList = new
        {
            from, to = caller,
            accessList = answer.GetProperty("accessList").EnumerateArray().Select(e => JsonSerializer.Deserialize<object>(e.GetRawText())).ToArray(),
        };
        long gasUsed = Convert.ToInt64(answer.GetProperty("gasUsed").GetString(), 16);
        long estimate = Convert.ToInt64((await devnet.ResultAsync("eth_estimateGas", withList, "latest")).GetString(), 16);
        Assert.InRange(gasUsed, 21_000 + 2 * 2_400 + 1_900, estimate);

        // A call that reverts reports it beside the list.
        var reverted = await devnet.ResultAsync("eth_createAccessList", new { from, to = reverter }, "latest");
        Assert.Equal("execution reverted", reverted.GetProperty("error").GetString());
        AssertError(await devnet.CallAsync("eth_createAccessList", new { from, to = caller, accessList = "nope" }), -32602, "accessList");
    }

    [Fact]
    public async Task Block_receipts_are_the_receipts_of_the_blocks_transactions_in_order()
    {
        var (_, _, first, _) = await DeployAndCallTwiceAsync();
        var number = first.GetProperty("blockNumber").GetString()!;
        var block = await devnet.ResultAsync("eth_getBlockByNumber", number, false);
        var byNumber = (await devnet.ResultAsync("eth_getBlockReceipts", number)).EnumerateArray().ToList();
        var byHash = (await devnet.ResultAsync("eth_getBlockReceipts", block.GetProperty("hash").GetString())).EnumerateArray().ToList();

        Assert.Equal(block.GetProperty("transactions").EnumerateArray().Select(t => t.GetString()), byNumber.Select(r => r.GetProperty("transactionHash").GetString()));
        Assert.Equal(byNumber.Select(r => r.GetRawText()), byHash.Select(r => r.GetRawText()));
        var own = byNumber.Single(r => r.GetProperty("transactionHash").GetString() == first.GetProperty("transactionHash").GetString());
        Assert.Equal(first.GetRawText(), own.GetRawText());

        Assert.Equal(JsonValueKind.Null, (await devnet.ResultAsync("eth_getBlockReceipts", "0xffffff")).ValueKind);
        Assert.Equal("0x1", (await devnet.ResultAsync("eth_blobBaseFee")).GetString());
    }
}
