using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Pwr.Cli;
using Pwr.Core;
using Pwr.Vm.Evm.Transactions;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc.Tests;

public partial class EthRpcTests(DevnetFixture devnet) : IClassFixture<DevnetFixture>
{
    /// <summary>Runtime: stores calldata word 0 in slot 0 and logs it as topic 0; init code CODECOPYs and returns it.</summary>
    private const string StoreAndLogInit = "0x600f600c600039600f6000f3" + "60003560005560003560006000a100";
    /// <summary>Runtime that reverts with the word 42; init code returns it.</summary>
    private const string RevertInit = "0x600a600c600039600a6000f3" + "602a60005260206000fd";

    private static BigInteger Q(JsonElement e) => BigInteger.Parse("0" + e.GetString()![2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static string Sign(int account, ulong nonce, string? to, BigInteger value, string data = "0x", ulong gas = 21000, ulong chainId = 31337)
        => Hex.Encode(TransactionSigner.Sign(new UnsignedTransaction
        {
            Type = EthereumTransactionType.DynamicFee,
            ChainId = chainId,
            Nonce = nonce,
            MaxFeePerGas = 3_000_000_000,
            MaxPriorityFeePerGas = 1_000_000_000,
            GasLimit = gas,
            To = to is null ? null : Address.Parse(to),
            Value = value,
            Data = Hex.Decode(data),
        }, AnvilAccounts.PrivateKey(account)));

    private async Task<ulong> PendingNonceAsync(int account)
        => (ulong)Q(await devnet.ResultAsync("eth_getTransactionCount", AnvilAccounts.AddressStrings[account], "pending"));

    private static void AssertError(JsonElement response, int code, string? messagePart = null)
    {
        Assert.True(response.TryGetProperty("error", out var error), $"expected error {code}, got {response}");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        if (messagePart is not null) Assert.Contains(messagePart, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chain_identity_matches_anvil()
    {
        Assert.Equal("0x7a69", (await devnet.ResultAsync("eth_chainId")).GetString());
        Assert.Equal("31337", (await devnet.ResultAsync("net_version")).GetString());
        Assert.Equal(0, (await devnet.ResultAsync("eth_accounts")).GetArrayLength());
        Assert.False((await devnet.ResultAsync("eth_syncing")).GetBoolean());
        Assert.True(Q(await devnet.ResultAsync("eth_blockNumber")) >= 1);
        var genesis = await devnet.ResultAsync("eth_getBlockByNumber", "0x0", false);
        Assert.Equal("0x0", genesis.GetProperty("number").GetString());
    }

    [Fact]
    public async Task Signed_transfer_is_mined_and_moves_the_balance()
    {
        const int from = 1;
        var to = "0x00000000000000000000000000000000000ca5e1";
        ulong nonce = await PendingNonceAsync(from);
        var before = Q(await devnet.ResultAsync("eth_getBalance", AnvilAccounts.AddressStrings[from], "latest"));
        var raw = Sign(from, nonce, to, 1_000_000_000_000_000_000);

        var hash = (await devnet.ResultAsync("eth_sendRawTransaction", raw)).GetString()!;
        Assert.Equal(Keccak.Hash256(Hex.Decode(raw)).ToString(), hash);
        Assert.Equal(nonce + 1, await PendingNonceAsync(from));
        var receipt = await devnet.WaitForReceiptAsync(hash);

        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        Assert.Equal(21000, (int)Q(receipt.GetProperty("gasUsed")));
        Assert.Equal(AnvilAccounts.AddressStrings[from].ToLowerInvariant(), receipt.GetProperty("from").GetString());
        var price = Q(receipt.GetProperty("effectiveGasPrice"));
        Assert.Equal(2_000_000_000, price);
        Assert.Equal(BigInteger.Parse("1000000000000000000", CultureInfo.InvariantCulture), Q(await devnet.ResultAsync("eth_getBalance", to, "latest")));
        Assert.Equal(before - BigInteger.Parse("1000000000000000000", CultureInfo.InvariantCulture) - 21000 * price,
            Q(await devnet.ResultAsync("eth_getBalance", AnvilAccounts.AddressStrings[from], "latest")));

        var tx = await devnet.ResultAsync("eth_getTransactionByHash", hash);
        Assert.Equal(receipt.GetProperty("blockNumber").GetString(), tx.GetProperty("blockNumber").GetString());
        var block = await devnet.ResultAsync("eth_getBlockByNumber", receipt.GetProperty("blockNumber").GetString(), true);
        Assert.Contains(block.GetProperty("transactions").EnumerateArray(), t => t.GetProperty("hash").GetString() == hash);
        Assert.Equal(block.GetProperty("hash").GetString(), receipt.GetProperty("blockHash").GetString());
        var byHash = await devnet.ResultAsync("eth_getBlockByHash", block.GetProperty("hash").GetString(), false);
        Assert.Equal(block.GetProperty("number").GetString(), byHash.GetProperty("number").GetString());

        AssertError(await devnet.CallAsync("eth_sendRawTransaction", raw), -32000);
    }

    [Fact]
    public async Task Contract_deploys_stores_logs_answers_calls_and_the_vm_replays_to_the_nodes_roots()
    {
        const int from = 2;
        ulong nonce = await PendingNonceAsync(from);
        var estimate = Q(await devnet.ResultAsync("eth_estimateGas", new { from = AnvilAccounts.AddressStrings[from], data = StoreAndLogInit }));
        Assert.InRange(estimate, 53_000, 200_000);
        var deploy = await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce, null, 0, StoreAndLogInit, gas: (ulong)estimate))).GetString()!);
        Assert.Equal("0x1", deploy.GetProperty("status").GetString());
        var contract = deploy.GetProperty("contractAddress").GetString()!;
        Assert.Equal("0x60003560005560003560006000a100", (await devnet.ResultAsync("eth_getCode", contract, "latest")).GetString());

        var word = "0x" + new string('0', 62) + "2a";
        var call = await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce + 1, contract, 0, word, gas: 100_000))).GetString()!);
        Assert.Equal("0x1", call.GetProperty("status").GetString());
        Assert.Equal(word, (await devnet.ResultAsync("eth_getStorageAt", contract, "0x0", "latest")).GetString());
        var log = Assert.Single(call.GetProperty("logs").EnumerateArray());
        Assert.Equal(word, log.GetProperty("topics")[0].GetString());

        var logs = await devnet.ResultAsync("eth_getLogs", new { fromBlock = "0x0", toBlock = "latest", address = contract, topics = new[] { word } });
        Assert.Equal(call.GetProperty("transactionHash").GetString(), Assert.Single(logs.EnumerateArray()).GetProperty("transactionHash").GetString());
        Assert.Empty((await devnet.ResultAsync("eth_getLogs", new { fromBlock = "0x0", address = contract, topics = new[] { "0x" + new string('1', 64) } })).EnumerateArray());

        // eth_call runs on scratch state: the call's SSTORE is not kept.
        var other = "0x" + new string('0', 63) + "7";
        Assert.Equal("0x", (await devnet.ResultAsync("eth_call", new { to = contract, data = other }, "latest")).GetString());
        Assert.Equal(word, (await devnet.ResultAsync("eth_getStorageAt", contract, "0x0", "latest")).GetString());

        // Everything the EVM did replays from the node's blocks to the roots the node publishes (what `pwr vm verify --vm 2` does).
        var evm = devnet.Devnet.VmHosts.Single(h => h.VmId == DevnetHost.EvmVmId);
        using var client = new PwrNodeClient(new Uri(devnet.Devnet.Node.ApiUrl));
        var dir = Path.Combine(Path.GetTempPath(), "pwr-evm-verify-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = await new VmVerifier(new EvmVm(DevnetHost.EvmVmId), new RemoteBlockSource(client), client).VerifyAsync(dir, evm.Height);
            Assert.True(result.Matched, $"mismatch at {result.MismatchBlock}: {result.Error}");
            // The node may publish the last root a moment after the host applied it; the call's block must be covered.
            Assert.True(result.VerifiedHeight >= (ulong)Q(call.GetProperty("blockNumber")), $"verified only up to {result.VerifiedHeight}");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Reverting_call_answers_code_3_with_the_revert_data()
    {
        const int from = 3;
        ulong nonce = await PendingNonceAsync(from);
        var deploy = await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce, null, 0, RevertInit, gas: 200_000))).GetString()!);
        var contract = deploy.GetProperty("contractAddress").GetString()!;

        var response = await devnet.CallAsync("eth_call", new { to = contract, data = "0x" }, "latest");
        AssertError(response, 3, "execution reverted");
        Assert.Equal("0x" + new string('0', 62) + "2a", response.GetProperty("error").GetProperty("data").GetString());
        AssertError(await devnet.CallAsync("eth_estimateGas", new { to = contract }), 3);
    }

    [Fact]
    public async Task Bad_transactions_get_geth_errors_and_are_not_queued()
    {
        const int from = 4;
        ulong nonce = await PendingNonceAsync(from);
        AssertError(await devnet.CallAsync("eth_sendRawTransaction", Sign(from, nonce, AnvilAccounts.AddressStrings[0], 1, chainId: 1)), -32000, "invalid chain id");
        AssertError(await devnet.CallAsync("eth_sendRawTransaction", "0x02c001"), -32602);
        AssertError(await devnet.CallAsync("eth_sendRawTransaction", "0xzz"), -32602);
        AssertError(await devnet.CallAsync("eth_sendRawTransaction", Sign(from, nonce + 100, AnvilAccounts.AddressStrings[0], 1)), -32000, "nonce too high");
        AssertError(await devnet.CallAsync("eth_sendRawTransaction", Sign(from, nonce, AnvilAccounts.AddressStrings[0], AnvilAccounts.GenesisBalanceWei)), -32000, "insufficient funds for gas * price + value");
        AssertError(await devnet.CallAsync("eth_sendRawTransaction", Sign(from, nonce, AnvilAccounts.AddressStrings[0], 1, gas: 20000)), -32000, "intrinsic gas too low");
        Assert.Equal(nonce, await PendingNonceAsync(from));

        // A mined transaction's nonce is stale afterwards.
        var receipt = await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce, AnvilAccounts.AddressStrings[0], 1))).GetString()!);
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        AssertError(await devnet.CallAsync("eth_sendRawTransaction", Sign(from, nonce, AnvilAccounts.AddressStrings[0], 2)), -32000, "nonce too low");
    }

    [Fact]
    public async Task Future_nonce_is_held_until_the_gap_closes_then_both_are_mined()
    {
        const int from = 7;
        ulong nonce = await PendingNonceAsync(from);
        var later = (await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce + 1, AnvilAccounts.AddressStrings[0], 2))).GetString()!;
        // Held back like geth's queued pool: visible by hash, not counted in the pending nonce.
        Assert.Equal(nonce, await PendingNonceAsync(from));
        Assert.Equal(JsonValueKind.Object, (await devnet.ResultAsync("eth_getTransactionByHash", later)).ValueKind);
        var first = (await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce, AnvilAccounts.AddressStrings[0], 1))).GetString()!;
        Assert.Equal("0x1", (await devnet.WaitForReceiptAsync(first)).GetProperty("status").GetString());
        Assert.Equal("0x1", (await devnet.WaitForReceiptAsync(later)).GetProperty("status").GetString());
        Assert.Equal(nonce + 2, await PendingNonceAsync(from));
    }

    [Fact]
    public async Task Second_transaction_with_a_queued_nonce_is_refused_as_a_replacement()
    {
        const int from = 6;
        ulong nonce = await PendingNonceAsync(from);
        var first = (await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce, AnvilAccounts.AddressStrings[0], 1))).GetString()!;
        // Same price, other value: geth's "replacement transaction underpriced"; it must not be queued or mined.
        var same = Sign(from, nonce, AnvilAccounts.AddressStrings[0], 2);
        var refused = await devnet.CallAsync("eth_sendRawTransaction", same);
        if (refused.TryGetProperty("result", out _)) Assert.Fail($"a second transaction with queued nonce {nonce} was accepted: {refused}");
        AssertError(refused, -32000, "replacement transaction underpriced");
        Assert.Equal("0x1", (await devnet.WaitForReceiptAsync(first)).GetProperty("status").GetString());
        Assert.Equal(nonce + 1, await PendingNonceAsync(from));
    }

    [Fact]
    public async Task Log_query_whose_range_ends_before_it_starts_is_an_error()
    {
        var response = await devnet.CallAsync("eth_getLogs", JsonSerializer.SerializeToElement(new { fromBlock = "0x10", toBlock = "0x1" }));
        AssertError(response, -32000, "invalid block range params");
        Assert.True((await devnet.CallAsync("eth_blockNumber")).TryGetProperty("result", out _));
    }

    [Fact]
    public async Task Malformed_requests_get_json_rpc_errors_and_the_server_keeps_answering()
    {
        Assert.Equal(-32700, (await devnet.PostAsync("{not json")).Body.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(-32600, (await devnet.PostAsync("[]")).Body.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(-32600, (await devnet.PostAsync("{\"id\":1,\"method\":\"eth_chainId\"}")).Body.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(-32600, (await devnet.PostAsync("42")).Body.GetProperty("error").GetProperty("code").GetInt32());
        AssertError(await devnet.CallAsync("eth_noSuchMethod"), -32601);
        AssertError(await devnet.CallAsync("eth_getBalance", "0x1234", "latest"), -32602);
        AssertError(await devnet.CallAsync("eth_getBalance"), -32602);
        AssertError(await devnet.CallAsync("eth_getBlockByNumber", 12, false), -32602);
        AssertError(await devnet.CallAsync("eth_getStorageAt", AnvilAccounts.AddressStrings[0], "0xq", "latest"), -32602);
        AssertError(await devnet.CallAsync("eth_call", "not an object"), -32602);

        var (_, batch) = await devnet.PostAsync("[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"eth_chainId\"},{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"nope\"},7]");
        Assert.Equal(3, batch.GetArrayLength());
        Assert.Equal("0x7a69", batch[0].GetProperty("result").GetString());
        Assert.Equal(-32601, batch[1].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(-32600, batch[2].GetProperty("error").GetProperty("code").GetInt32());

        Assert.Equal(JsonValueKind.Null, (await devnet.ResultAsync("eth_getTransactionReceipt", "0x" + new string('a', 64))).ValueKind);
        Assert.Equal(JsonValueKind.Null, (await devnet.ResultAsync("eth_getBlockByNumber", "0xffffff", false)).ValueKind);
        Assert.Equal("0x7a69", (await devnet.ResultAsync("eth_chainId")).GetString());
    }

    [Fact]
    public async Task Filters_report_new_blocks_and_matching_logs_once()
    {
        const int from = 5;
        var blockFilter = (await devnet.ResultAsync("eth_newBlockFilter")).GetString()!;
        ulong nonce = await PendingNonceAsync(from);
        var deploy = await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce, null, 0, StoreAndLogInit, gas: 200_000))).GetString()!);
        var contract = deploy.GetProperty("contractAddress").GetString()!;
        var logFilter = (await devnet.ResultAsync("eth_newFilter", new { address = contract })).GetString()!;

        var word = "0x" + new string('0', 62) + "07";
        var call = await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce + 1, contract, 0, word, gas: 100_000))).GetString()!);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement changes;
        do changes = await devnet.ResultAsync("eth_getFilterChanges", logFilter);
        while (changes.GetArrayLength() == 0 && DateTime.UtcNow < deadline);
        Assert.Equal(call.GetProperty("transactionHash").GetString(), Assert.Single(changes.EnumerateArray()).GetProperty("transactionHash").GetString());
        Assert.Empty((await devnet.ResultAsync("eth_getFilterChanges", logFilter)).EnumerateArray());

        var blocks = await devnet.ResultAsync("eth_getFilterChanges", blockFilter);
        Assert.Contains(blocks.EnumerateArray(), h => h.GetString() == deploy.GetProperty("blockHash").GetString());
        Assert.True((await devnet.ResultAsync("eth_uninstallFilter", blockFilter)).GetBoolean());
        AssertError(await devnet.CallAsync("eth_getFilterChanges", blockFilter), -32000, "filter not found");
    }

    [Fact]
    public async Task WebSocket_answers_requests_and_pushes_new_heads()
    {
        using var ws = new System.Net.WebSockets.ClientWebSocket();
        await ws.ConnectAsync(new Uri(devnet.RpcUrl.Replace("http://", "ws://", StringComparison.Ordinal)), CancellationToken.None);
        async Task Send(string text) => await ws.SendAsync(System.Text.Encoding.UTF8.GetBytes(text), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        async Task<JsonElement> Receive()
        {
            var buffer = new byte[1 << 16];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var r = await ws.ReceiveAsync(buffer, timeout.Token);
            Assert.True(r.EndOfMessage);
            return JsonDocument.Parse(buffer.AsMemory(0, r.Count)).RootElement.Clone();
        }

        await Send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}");
        Assert.Equal("0x7a69", (await Receive()).GetProperty("result").GetString());
        await Send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}");
        var subscription = (await Receive()).GetProperty("result").GetString();
        var head = await Receive();
        Assert.Equal("eth_subscription", head.GetProperty("method").GetString());
        Assert.Equal(subscription, head.GetProperty("params").GetProperty("subscription").GetString());
        var number = head.GetProperty("params").GetProperty("result").GetProperty("number").GetString()!;
        var next = await Receive();
        Assert.Equal(Q(JsonDocument.Parse($"\"{number}\"").RootElement) + 1, Q(next.GetProperty("params").GetProperty("result").GetProperty("number")));
        await ws.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }
}
