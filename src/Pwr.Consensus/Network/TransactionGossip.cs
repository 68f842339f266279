using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus.Network;

/// <summary>
/// Spreads admitted transactions to peers so that they reach the proposer. Published transactions are batched
/// (flushed every ~20 ms or at ~1 MiB) into one <see cref="MessageKind.Transaction"/> payload:
/// u32 count ‖ (u32 length ‖ signed tx)*. Received transactions go through the local app's CheckTx; those that came
/// straight from the node they were submitted to and were new here are passed on once, as
/// <see cref="MessageKind.RelayedTransaction"/>, to every other peer, so a node peered with a single validator still
/// reaches all validators of a full mesh. Relayed transactions are not passed on again: one hop, no echo storms.
/// A malformed batch gets its sender disconnected.
/// </summary>
public sealed partial class TransactionGossip : IAsyncDisposable
{
    /// <summary>How long a published transaction may wait for others to share its batch.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(20);
    /// <summary>A batch is sent at once when it reaches this size.</summary>
    public const int MaxBatchBytes = 1024 * 1024;
    private const int ReceiveQueueCapacity = 1024;

    private readonly IChainApplication _app;
    private readonly IPeerNetwork _network;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Channel<(PeerId From, List<byte[]> Txs, bool Relay)> _received =
        Channel.CreateBounded<(PeerId, List<byte[]>, bool)>(new BoundedChannelOptions(ReceiveQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _flushLoop;
    private readonly Task _admitLoop;
    private List<byte[]> _pending = [];
    private int _pendingBytes;
    private long _published, _receivedTxs, _accepted, _relayed, _droppedBatches;

    public TransactionGossip(IChainApplication app, IPeerNetwork network, ILoggerFactory loggerFactory)
    {
        _app = app;
        _network = network;
        _logger = loggerFactory.CreateLogger<TransactionGossip>();
        _network.MessageReceived += OnMessage;
        _flushLoop = Task.Run(FlushLoopAsync);
        _admitLoop = Task.Run(AdmitLoopAsync);
    }

    /// <summary>Transactions handed to <see cref="Publish"/>.</summary>
    public long Published => Interlocked.Read(ref _published);
    /// <summary>Transactions received from peers.</summary>
    public long Received => Interlocked.Read(ref _receivedTxs);
    /// <summary>Received transactions that the local mempool admitted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);
    /// <summary>Admitted transactions passed on to other peers (counted once per transaction).</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    /// <summary>Queues a transaction that local admission accepted for the next batch; never blocks on the network.</summary>
    public void Publish(byte[] rawTx)
    {
        ArgumentNullException.ThrowIfNull(rawTx);
        List<byte[]>? full = null;
        lock (_lock)
        {
            _pending.Add(rawTx);
            _pendingBytes += 4 + rawTx.Length;
            if (_pendingBytes >= MaxBatchBytes) full = TakePendingLocked();
        }
        Interlocked.Increment(ref _published);
        if (full is not null) Send(full);
    }

    /// <summary>Encodes a batch: u32 count ‖ (u32 length ‖ raw)*.</summary>
    public static byte[] EncodeBatch(IReadOnlyList<byte[]> txs)
    {
        long size = 4;
        foreach (var tx in txs) size += 4 + tx.Length;
        var bytes = new byte[checked((int)size)];
        var w = new BigEndianWriter(bytes);
        w.WriteU32((uint)txs.Count);
        foreach (var tx in txs)
        {
            w.WriteU32((uint)tx.Length);
            w.WriteBytes(tx);
        }
        return bytes;
    }

    /// <summary>Splits a batch into raw transactions; false on any malformation (bad count, truncation, trailing bytes, empty tx).</summary>
    public static bool TryDecodeBatch(ReadOnlySpan<byte> payload, out List<byte[]> txs)
    {
        txs = [];
        var r = new BigEndianReader(payload);
        if (!r.TryReadU32(out var count) || count == 0 || count > (uint)(r.Remaining / 4)) return false;
        txs.Capacity = (int)count;
        for (uint i = 0; i < count; i++)
        {
            if (!r.TryReadU32(out var length) || length == 0 || length > (uint)r.Remaining || !r.TryReadBytes((int)length, out var raw)) return false;
            txs.Add(raw.ToArray());
        }
        return r.Remaining == 0;
    }

    private List<byte[]>? TakePendingLocked()
    {
        if (_pending.Count == 0) return null;
        var batch = _pending;
        _pending = [];
        _pendingBytes = 0;
        return batch;
    }

    private void Send(List<byte[]> batch)
    {
        try { _network.Broadcast(MessageKind.Transaction, EncodeBatch(batch)); }
        catch (ArgumentException e) { LogSendFailed(_logger, batch.Count, e.Message); }
    }

    private async Task FlushLoopAsync()
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_cts.Token).ConfigureAwait(false))
            {
                List<byte[]>? batch;
                lock (_lock) batch = TakePendingLocked();
                if (batch is not null) Send(batch);
            }
        }
        catch (OperationCanceledException) { }
    }

    private void OnMessage(PeerId from, MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        if (kind is not (MessageKind.Transaction or MessageKind.RelayedTransaction)) return;
        if (!TryDecodeBatch(payload.Span, out var txs))
        {
            _network.Disconnect(from, "malformed transaction batch");
            return;
        }
        Interlocked.Add(ref _receivedTxs, txs.Count);
        // Admission verifies signatures; it runs on our worker, not on the peer's reader.
        if (!_received.Writer.TryWrite((from, txs, kind == MessageKind.Transaction)) && Interlocked.Increment(ref _droppedBatches) % 100 == 1)
            LogDropped(_logger, from, txs.Count);
    }

    private async Task AdmitLoopAsync()
    {
        try
        {
            await foreach (var (from, txs, relay) in _received.Reader.ReadAllAsync(_cts.Token).ConfigureAwait(false))
            {
                List<byte[]>? fresh = null;
                foreach (var raw in txs)
                {
                    try
                    {
                        if (!_app.CheckTx(raw).Accepted) continue;
                        Interlocked.Increment(ref _accepted);
                        if (relay) (fresh ??= []).Add(raw);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogAdmissionFailed(_logger, e, from);
                    }
                }
                if (fresh is not null) Relay(from, fresh);
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Passes newly admitted transactions on to every peer but the one they came from.</summary>
    private void Relay(PeerId from, List<byte[]> txs)
    {
        byte[]? payload = null;
        foreach (var peer in _network.Peers)
        {
            if (peer == from) continue;
            payload ??= EncodeBatch(txs);
            _network.Send(peer, MessageKind.RelayedTransaction, payload);
        }
        if (payload is not null) Interlocked.Add(ref _relayed, txs.Count);
    }

    public async ValueTask DisposeAsync()
    {
        _network.MessageReceived -= OnMessage;
        List<byte[]>? batch;
        lock (_lock) batch = TakePendingLocked();
        if (batch is not null) Send(batch);
        _cts.Cancel();
        _received.Writer.TryComplete();
        await Task.WhenAll(_flushLoop, _admitLoop).ConfigureAwait(false);
        _cts.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not gossip a batch of {Count} transactions: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Gossip receive queue is full; dropped {Count} transactions from {Peer}")]
    private static partial void LogDropped(ILogger logger, PeerId peer, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Admission of a gossiped transaction from {Peer} threw")]
    private static partial void LogAdmissionFailed(ILogger logger, Exception e, PeerId peer);
}
