using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc.Tests;

// geth's prestateTracer through debug_trace*, on the shared devnet (sender account 8, as the callTracer tests).
public partial class EthRpcTests
{
    private static string Word(ulong value) => "0x" + value.ToString("x64", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Prestate_trace_lists_what_the_transaction_read_as_it_was_before_it()
    {
        var (reverter, caller, _, second) = await DeployAndCallTwiceAsync();
        var sender = AnvilAccounts.AddressStrings[8].ToLowerInvariant();
        var blockTag = second.GetProperty("blockNumber").GetString()!;
        var coinbase = (await devnet.ResultAsync("eth_getBlockByNumber", blockTag, false)).GetProperty("miner").GetString()!;
        var tx = await devnet.ResultAsync("eth_getTransactionByHash", second.GetProperty("transactionHash").GetString());

        var pre = await devnet.ResultAsync("debug_traceTransaction", second.GetProperty("transactionHash").GetString(), new { tracer = "prestateTracer" });
        // from, to, the coinbase and the CALL's target; nothing else was looked at.
        Assert.Equal(new[] { sender, caller, reverter, coinbase }.Distinct().Order(StringComparer.Ordinal),
            pre.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        // The sender before the transaction: its nonce, and what it paid on top of what it holds after the block
        // (the second call is its last transaction there).
        var from = pre.GetProperty(sender);
        Assert.Equal((ulong)Q(tx.GetProperty("nonce")), from.GetProperty("nonce").GetUInt64());
        var after = Q(await devnet.ResultAsync("eth_getBalance", sender, blockTag));
        Assert.Equal(after + Q(second.GetProperty("gasUsed")) * Q(second.GetProperty("effectiveGasPrice")), Q(from.GetProperty("balance")));
        Assert.False(from.TryGetProperty("code", out _));

        // The counter contract: its code with its hash, and slot 0 as the first call left it (1); the second makes it 2.
        var counter = pre.GetProperty(caller);
        var code = (await devnet.ResultAsync("eth_getCode", caller, blockTag)).GetString()!;
        Assert.Equal(code, counter.GetProperty("code").GetString());
        Assert.Equal(Keccak.Hash256(Hex.Decode(code)).ToString(), counter.GetProperty("codeHash").GetString());
        Assert.Equal(1UL, counter.GetProperty("nonce").GetUInt64());
        var slots = counter.GetProperty("storage").EnumerateObject().ToList();
        Assert.Equal(Word(0), Assert.Single(slots).Name);
        Assert.Equal(Word(1), slots[0].Value.GetString());
        Assert.Equal(Word(2), (await devnet.ResultAsync("eth_getStorageAt", caller, "0x0", blockTag)).GetString());

        // The reverter was only called: code, no storage.
        Assert.False(pre.GetProperty(reverter).TryGetProperty("storage", out _));
        Assert.True(pre.GetProperty(reverter).TryGetProperty("code", out _));

        // disableCode / disableStorage leave those fields out.
        var bare = await devnet.ResultAsync("debug_traceTransaction", second.GetProperty("transactionHash").GetString(),
            new { tracer = "prestateTracer", tracerConfig = new { disableCode = true, disableStorage = true } });
        Assert.False(bare.GetProperty(caller).TryGetProperty("code", out _));
        Assert.False(bare.GetProperty(caller).TryGetProperty("codeHash", out _));
        Assert.False(bare.GetProperty(caller).TryGetProperty("storage", out _));
        Assert.Equal(counter.GetProperty("balance").GetString(), bare.GetProperty(caller).GetProperty("balance").GetString());
    }

    [Fact]
    public async Task Prestate_diff_mode_shows_only_what_changed_before_and_after()
    {
        var (reverter, caller, _, second) = await DeployAndCallTwiceAsync();
        var sender = AnvilAccounts.AddressStrings[8].ToLowerInvariant();
        var blockTag = second.GetProperty("blockNumber").GetString()!;
        var diff = await devnet.ResultAsync("debug_traceTransaction", second.GetProperty("transactionHash").GetString(),
            new { tracer = "prestateTracer", tracerConfig = new { diffMode = true } });
        var pre = diff.GetProperty("pre");
        var post = diff.GetProperty("post");

        // The reverter changed nothing: it is in neither.
        Assert.False(pre.TryGetProperty(reverter, out _));
        Assert.False(post.TryGetProperty(reverter, out _));

        // The sender: nonce and balance move; post holds only those, at their values after the transaction.
        var senderPost = post.GetProperty(sender);
        Assert.Equal(pre.GetProperty(sender).GetProperty("nonce").GetUInt64() + 1, senderPost.GetProperty("nonce").GetUInt64());
        Assert.Equal(Q(await devnet.ResultAsync("eth_getBalance", sender, blockTag)), Q(senderPost.GetProperty("balance")));
        Assert.False(senderPost.TryGetProperty("code", out _));

        // The counter: only slot 0 changed (1 -> 2); pre keeps its unchanged fields, post has just the slot.
        var counterPost = post.GetProperty(caller);
        Assert.Equal([Word(0)], counterPost.GetProperty("storage").EnumerateObject().Select(p => p.Name));
        Assert.Equal(Word(2), counterPost.GetProperty("storage").GetProperty(Word(0)).GetString());
        Assert.False(counterPost.TryGetProperty("balance", out _));
        Assert.False(counterPost.TryGetProperty("code", out _));
        Assert.Equal(Word(1), pre.GetProperty(caller).GetProperty("storage").GetProperty(Word(0)).GetString());
        Assert.True(pre.GetProperty(caller).TryGetProperty("code", out _));
    }

    [Fact]
    public async Task Prestate_of_a_create_leaves_the_new_contract_out_of_pre_and_shows_it_in_post()
    {
        var sender = AnvilAccounts.AddressStrings[8];
        var call = new { from = sender, data = Deployer("600160005500"), gas = "0x30d40" };
        var head = await devnet.ResultAsync("eth_getBlockByNumber", "latest", false);
        var coinbase = head.GetProperty("miner").GetString()!;

        var pre = await devnet.ResultAsync("debug_traceCall", call, "latest", new { tracer = "prestateTracer" });
        Assert.Equal(new[] { sender.ToLowerInvariant(), coinbase }.Distinct().Order(StringComparer.Ordinal), pre.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var diff = await devnet.ResultAsync("debug_traceCall", call, "latest", new { tracer = "prestateTracer", tracerConfig = new { diffMode = true } });
        var created = diff.GetProperty("post").EnumerateObject().Single(p => p.Value.TryGetProperty("code", out _));
        Assert.False(diff.GetProperty("pre").TryGetProperty(created.Name, out _));
        Assert.Equal("0x600160005500", created.Value.GetProperty("code").GetString());
        Assert.Equal(Keccak.Hash256(Hex.Decode("0x600160005500")).ToString(), created.Value.GetProperty("codeHash").GetString());
        Assert.Equal(1UL, created.Value.GetProperty("nonce").GetUInt64());
        // The constructor stored nothing (the runtime's SSTORE has not run): no storage in post.
        Assert.False(created.Value.TryGetProperty("storage", out _));
        // debug_traceCall ran on scratch state: nothing was deployed.
        Assert.Equal("0x", (await devnet.ResultAsync("eth_getCode", created.Name, "latest")).GetString());
    }
}
