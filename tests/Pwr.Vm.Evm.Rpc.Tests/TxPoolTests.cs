using System.Text.Json;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc.Tests;

// Pending-transaction filters and subscriptions, txpool_status and txpool_content on the devnet shared with the
// other EthRpcTests; sender account 0.
public partial class EthRpcTests
{
    [Fact]
    public async Task Pending_filter_and_txpool_show_accepted_and_gapped_transactions()
    {
        const int from = 0;
        string sender = AnvilAccounts.AddressStrings[from];
        var filter = (await devnet.ResultAsync("eth_newPendingTransactionFilter")).GetString()!;
        ulong nonce = await PendingNonceAsync(from);

        // A nonce gap: queued, not yet accepted for a block, so the filter does not report it.
        var later = (await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce + 1, AnvilAccounts.AddressStrings[1], 2))).GetString()!;
        var content = await devnet.ResultAsync("txpool_content");
        var queued = Property(content.GetProperty("queued"), sender);
        Assert.Equal(later, queued.GetProperty((nonce + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).GetProperty("hash").GetString());
        var status = await devnet.ResultAsync("txpool_status");
        Assert.True(Q(status.GetProperty("queued")) >= 1, status.ToString());
        Assert.DoesNotContain((await devnet.ResultAsync("eth_getFilterChanges", filter)).EnumerateArray(), h => h.GetString() == later);

        // Closing the gap sends both; the filter reports each once.
        var first = (await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce, AnvilAccounts.AddressStrings[1], 1))).GetString()!;
        var reported = (await devnet.ResultAsync("eth_getFilterChanges", filter)).EnumerateArray().Select(h => h.GetString()).ToList();
        Assert.Equal([first, later], reported.Where(h => h == first || h == later));
        Assert.DoesNotContain((await devnet.ResultAsync("eth_getFilterChanges", filter)).EnumerateArray(), h => h.GetString() == first);

        await devnet.WaitForReceiptAsync(later);
        var after = await devnet.ResultAsync("txpool_content");
        Assert.DoesNotContain(after.GetProperty("queued").EnumerateObject(), p => p.Name.Equals(sender, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task WebSocket_pushes_the_hashes_of_new_pending_transactions()
    {
        const int from = 0;
        using var ws = new System.Net.WebSockets.ClientWebSocket();
        await ws.ConnectAsync(new Uri(devnet.RpcUrl.Replace("http://", "ws://", StringComparison.Ordinal)), CancellationToken.None);
        await ws.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"newPendingTransactions\"]}"u8.ToArray(),
            System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 16];
        async Task<JsonElement> Receive()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var r = await ws.ReceiveAsync(buffer, timeout.Token);
            return JsonDocument.Parse(buffer.AsMemory(0, r.Count)).RootElement.Clone();
        }
        var subscription = (await Receive()).GetProperty("result").GetString();

        var hash = (await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, await PendingNonceAsync(from), AnvilAccounts.AddressStrings[1], 3))).GetString();
        var note = await Receive();
        Assert.Equal(subscription, note.GetProperty("params").GetProperty("subscription").GetString());
        Assert.Equal(hash, note.GetProperty("params").GetProperty("result").GetString());
        await devnet.WaitForReceiptAsync(hash!);
        await ws.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    private static JsonElement Property(JsonElement obj, string name)
        => obj.EnumerateObject().Single(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
