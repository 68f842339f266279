using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>One WebSocket connection: JSON-RPC requests as over HTTP, plus eth_subscribe / eth_unsubscribe for newHeads,
/// logs and newPendingTransactions.</summary>
/// <remarks>Subscriptions poll every 100 ms and push each new block (and its matching logs) once, in order, and the
/// hash of each transaction the wrapper accepted for a block.</remarks>
internal sealed class EvmRpcWebSocket(WebSocket socket, EvmRpcHandler handler)
{
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static long s_nextId;

    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Subscription> _subscriptions = [];

    private sealed class Subscription(LogFilter? logs, ulong lastBlock, bool pending = false)
    {
        public LogFilter? Logs { get; } = logs;
        public ulong LastBlock { get; set; } = lastBlock;
        /// <summary>newPendingTransactions: <see cref="LastBlock"/> is then the accepted-transaction cursor.</summary>
        public bool Pending { get; } = pending;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var push = Task.Run(() => PushAsync(stop.Token), CancellationToken.None);
        try
        {
            while (socket.State == WebSocketState.Open && await ReceiveAsync(stop.Token) is { } message)
                await SendAsync(Answer(message), stop.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            await stop.CancelAsync();
            try { await push; } catch (OperationCanceledException) { }
        }
    }

    private string Answer(byte[] message)
    {
        JsonElement request;
        try { request = JsonDocument.Parse(message).RootElement.Clone(); }
        catch (JsonException) { return handler.Handle(message); }
        if (request.ValueKind != JsonValueKind.Object || !request.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String)
            return handler.Handle(message);
        var id = request.TryGetProperty("id", out var i) ? JsonNode.Parse(i.GetRawText()) : null;
        var p = request.TryGetProperty("params", out var ps) ? ps : default;
        try
        {
            switch (m.GetString())
            {
                case "eth_subscribe":
                    return Result(id, Subscribe(p));
                case "eth_unsubscribe":
                    var sub = RpcJson.Param(p, 0, "subscription");
                    if (sub.ValueKind != JsonValueKind.String) throw RpcException.Params("invalid argument 0: subscription id expected");
                    lock (_gate) return Result(id, _subscriptions.Remove(sub.GetString()!));
                default:
                    return handler.Handle(message);
            }
        }
        catch (RpcException e)
        {
            return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["error"] = new JsonObject { ["code"] = e.Code, ["message"] = e.Message } }.ToJsonString();
        }
    }

    private string Subscribe(JsonElement p)
    {
        var kind = RpcJson.Param(p, 0, "kind");
        ulong head = handler.Chain.Head ?? 0;
        Subscription subscription = kind.ValueKind == JsonValueKind.String ? kind.GetString() switch
        {
            "newHeads" => new Subscription(null, head),
            "logs" => new Subscription(RpcJson.TryOptional(p, 1, out var f) ? EvmRpcHandler.ParseLogFilter(f) : new LogFilter(null, null, null, [], []), head),
            "newPendingTransactions" => new Subscription(null, (ulong)handler.Pending.Added, pending: true),
            _ => throw RpcException.Params($"unsupported subscription type {kind.GetString()}: newHeads, logs and newPendingTransactions are"),
        } : throw RpcException.Params("invalid argument 0: subscription type expected");
        var id = "0x" + Interlocked.Increment(ref s_nextId).ToString("x16", CultureInfo.InvariantCulture);
        lock (_gate) _subscriptions[id] = subscription;
        return id;
    }

    private static string Result(JsonNode? id, JsonNode? result) => new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result }.ToJsonString();

    private async Task PushAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            await Task.Delay(PollInterval, token);
            if (handler.Chain.Head is not { } head) continue;
            List<(string Id, Subscription Sub)> subscriptions;
            lock (_gate) subscriptions = _subscriptions.Select(kv => (kv.Key, kv.Value)).ToList();
            foreach (var (id, sub) in subscriptions)
            {
                if (sub.Pending)
                {
                    var (hashes, cursor) = handler.Pending.AddedSince((long)sub.LastBlock);
                    foreach (var hash in hashes) await SendAsync(Notification(id, hash.ToString()), token);
                    sub.LastBlock = (ulong)cursor;
                    continue;
                }
                for (ulong n = sub.LastBlock + 1; n <= head; n++)
                {
                    if (sub.Logs is { } filter)
                    {
                        foreach (var log in handler.LogsJson(filter with { FromBlock = Hex(n), ToBlock = Hex(n), BlockHash = null }, null))
                            await SendAsync(Notification(id, log?.DeepClone()), token);
                    }
                    else if (handler.BlockJson(handler.Chain.GetBlock(n), full: false) is { } block)
                    {
                        block.Remove("transactions");
                        await SendAsync(Notification(id, block), token);
                    }
                    sub.LastBlock = n;
                }
            }
        }
    }

    private static string Hex(ulong n) => "0x" + n.ToString("x", CultureInfo.InvariantCulture);

    private static string Notification(string id, JsonNode? result) => new JsonObject
    {
        ["jsonrpc"] = "2.0",
        ["method"] = "eth_subscription",
        ["params"] = new JsonObject { ["subscription"] = id, ["result"] = result },
    }.ToJsonString();

    private async Task<byte[]?> ReceiveAsync(CancellationToken token)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var result = await socket.ReceiveAsync(memory, token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, token);
                return null;
            }
            buffer.Advance(result.Count);
            if (buffer.WrittenCount > MaxMessageBytes)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", token);
                return null;
            }
            if (result.EndOfMessage) return buffer.WrittenSpan.ToArray();
        }
    }

    private async Task SendAsync(string text, CancellationToken token)
    {
        await _sendGate.WaitAsync(token);
        try { await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, token); }
        finally { _sendGate.Release(); }
    }
}
