using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Pwr.Chain;
using Pwr.Consensus.Network;
using Pwr.Core;

namespace Pwr.Consensus.Sync;

/// <summary>
/// Serves finalized blocks to peers and catches this node up when peers are ahead. Wire format:
/// StatusRequest (empty) → Status (u64 height ‖ head hash); BlockRequest (u64 from ‖ u16 count) → up to count
/// BlockResponse messages, each <see cref="BlockCodec"/> with its commit. A fetched block is delivered only after
/// it is checked to extend our head and to carry a commit of more than 2/3 of that height's validators; a peer that
/// serves anything else is disconnected.
/// </summary>
public sealed partial class BlockSyncService
{
    private const int StatusSize = 8 + Hash32.Size;
    private const int BlockRequestSize = 8 + 2;

    private readonly IChainApplication _app;
    private readonly IPeerNetwork _network;
    private readonly Action<Block> _deliver;
    private readonly BlockSyncOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<PeerId, ulong> _peerHeights = new();
    private readonly ConcurrentDictionary<ulong, (PeerId From, byte[] Payload)> _fetched = new();
    private readonly Channel<(PeerId Peer, ulong From, int Count)> _requests =
        Channel.CreateBounded<(PeerId, ulong, int)>(new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _wake = new(0);
    // Who was asked for which range (keyed by its first height), so a stall can be blamed on the peer that owed the block.
    private readonly Dictionary<ulong, (ulong Last, PeerId Peer)> _ranges = [];
    private readonly ConcurrentDictionary<PeerId, long> _ignoredUntil = new();
    private long _fetchedBytes;
    private ulong _requestedUpTo;
    private long _lastProgress;
    private long? _oneBehindSince;
    private ulong _oneBehindHead;
    private int _nextPeer;
    private volatile bool _catchingUp;

    public BlockSyncService(IChainApplication app, IPeerNetwork network, Action<Block> deliver, BlockSyncOptions options, ILoggerFactory loggerFactory)
    {
        options.Validate();
        _app = app;
        _network = network;
        _deliver = deliver;
        _options = options;
        _logger = loggerFactory.CreateLogger<BlockSyncService>();
        _network.MessageReceived += OnMessage;
        _network.PeerChanged += OnPeerChanged;
    }

    /// <summary>The highest finalized height a connected peer reported (0 with no peers).</summary>
    public ulong BestPeerHeight
    {
        get
        {
            ulong best = 0;
            foreach (var h in _peerHeights.Values) best = Math.Max(best, h);
            return best;
        }
    }

    /// <summary>True while this node fetches blocks because peers are ahead.</summary>
    public bool IsCatchingUp => _catchingUp;

    /// <summary>Blocks fetched from peers and delivered since start.</summary>
    public long DeliveredBlocks => Interlocked.Read(ref _delivered);
    private long _delivered;

    /// <summary>Serves requests, polls peers' status and catches up until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var serve = Task.Run(() => ServeLoopAsync(ct), CancellationToken.None);
        var status = Task.Run(() => StatusLoopAsync(ct), CancellationToken.None);
        try { await SyncLoopAsync(ct).ConfigureAwait(false); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            _requests.Writer.TryComplete();
            await Task.WhenAll(serve, status).ConfigureAwait(false);
            _network.MessageReceived -= OnMessage;
            _network.PeerChanged -= OnPeerChanged;
        }
    }

    public static byte[] EncodeStatus(ulong height, Hash32 hash)
    {
        var bytes = new byte[StatusSize];
        var w = new BigEndianWriter(bytes);
        w.WriteU64(height);
        w.WriteHash(hash);
        return bytes;
    }

    public static byte[] EncodeBlockRequest(ulong from, ushort count)
    {
        var bytes = new byte[BlockRequestSize];
        var w = new BigEndianWriter(bytes);
        w.WriteU64(from);
        w.WriteU16(count);
        return bytes;
    }

    private void OnPeerChanged(PeerId peer, bool connected)
    {
        if (connected) _network.Send(peer, MessageKind.StatusRequest, ReadOnlyMemory<byte>.Empty);
        else _peerHeights.TryRemove(peer, out _);
    }

    private void OnMessage(PeerId from, MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        switch (kind)
        {
            case MessageKind.StatusRequest:
                if (payload.Length != 0) { _network.Disconnect(from, "malformed status request"); return; }
                var head = _app.LastHeader;
                _network.Send(from, MessageKind.Status, EncodeStatus(head.Number, head.Hash));
                break;
            case MessageKind.Status:
            {
                var r = new BigEndianReader(payload.Span);
                if (payload.Length != StatusSize || !r.TryReadU64(out var height)) { _network.Disconnect(from, "malformed status"); return; }
                if (_ignoredUntil.TryGetValue(from, out var until))
                {
                    if (_options.Time.GetTimestamp() < until) return;
                    _ignoredUntil.TryRemove(from, out _);
                }
                _peerHeights[from] = height;
                Wake();
                break;
            }
            case MessageKind.BlockRequest:
            {
                var r = new BigEndianReader(payload.Span);
                if (payload.Length != BlockRequestSize || !r.TryReadU64(out var start) || !r.TryReadU16(out var count) || start == 0)
                {
                    _network.Disconnect(from, "malformed block request");
                    return;
                }
                if (!_requests.Writer.TryWrite((from, start, count))) LogServeQueueFull(_logger, from);
                break;
            }
            case MessageKind.BlockResponse:
            {
                if (payload.Length < BlockHeader.EncodedSize || !BlockHeader.TryDecode(payload.Span[..BlockHeader.EncodedSize], out var header))
                {
                    _network.Disconnect(from, "malformed block response");
                    return;
                }
                ulong ours = _app.LastHeader.Number;
                if (header.Number > ours && header.Number <= ours + (ulong)_options.MaxBlocksAhead
                    && Interlocked.Read(ref _fetchedBytes) + payload.Length <= _options.MaxBufferedBytes
                    && _fetched.TryAdd(header.Number, (from, payload.ToArray())))
                    Interlocked.Add(ref _fetchedBytes, payload.Length);
                _peerHeights.AddOrUpdate(from, header.Number, (_, h) => Math.Max(h, header.Number));
                Wake();
                break;
            }
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    private async Task StatusLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.StatusInterval, _options.Time);
        try
        {
            do _network.Broadcast(MessageKind.StatusRequest, ReadOnlyMemory<byte>.Empty);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) { }
    }

    private async Task ServeLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (peer, start, count) in _requests.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                Serve(peer, start, Math.Min(count, _options.MaxBlocksPerResponse));
        }
        catch (OperationCanceledException) { }
    }

    private void Serve(PeerId peer, ulong start, int count)
    {
        long sent = 0;
        for (ulong h = start; h < start + (ulong)count; h++)
        {
            if (_app.GetBlock(h) is not { Commit: not null } block) break;
            var bytes = BlockCodec.Encode(block);
            if (sent > 0 && sent + bytes.Length > _options.ResponseByteBudget) break;
            try
            {
                if (!_network.Send(peer, MessageKind.BlockResponse, bytes)) break;
            }
            catch (ArgumentException e)
            {
                LogServeFailed(_logger, h, peer, e.Message);
                break;
            }
            sent += bytes.Length;
        }
    }

    private async Task SyncLoopAsync(CancellationToken ct)
    {
        var time = _options.Time;
        long started = 0;
        ulong startHeight = 0;
        while (!ct.IsCancellationRequested)
        {
            var head = _app.LastHeader;
            ulong best = BestPeerHeight;
            if (!ShouldCatchUp(head.Number, best))
            {
                if (_catchingUp)
                {
                    _catchingUp = false;
                    var elapsed = time.GetElapsedTime(started);
                    LogCaughtUp(_logger, head.Number - startHeight, startHeight, head.Number, elapsed.TotalMilliseconds, (head.Number - startHeight) / Math.Max(elapsed.TotalSeconds, 1e-3));
                }
                _requestedUpTo = head.Number;
                DropFetchedUpTo(head.Number);
                await _wake.WaitAsync(_options.StatusInterval, ct).ConfigureAwait(false);
                continue;
            }
            if (!_catchingUp)
            {
                _catchingUp = true;
                started = time.GetTimestamp();
                startHeight = head.Number;
                _lastProgress = started;
                _requestedUpTo = Math.Max(_requestedUpTo, head.Number);
                LogCatchingUp(_logger, head.Number, best);
            }

            if (_requestedUpTo < head.Number) _requestedUpTo = head.Number;
            // Keep the window full while delivering, so responses overlap with applying blocks.
            RequestBlocks(head.Number, best);
            if (TryTakeFetched(head.Number + 1, out var next))
            {
                if (!TryVerify(next.Payload, head, out var block, out var error))
                {
                    Refuse(next.From, $"served block {head.Number + 1} that fails verification: {error}");
                    continue;
                }
                if (!await DeliverAsync(block, ct).ConfigureAwait(false))
                {
                    // Not the peer's fault as far as we can tell (the block verified); retry from our head after a pause.
                    ResetRequests();
                    await Task.Delay(_options.StatusInterval, _options.Time, ct).ConfigureAwait(false);
                    continue;
                }
                Interlocked.Increment(ref _delivered);
                _lastProgress = time.GetTimestamp();
                continue;
            }

            if (time.GetElapsedTime(_lastProgress) > _options.StallTimeout)
            {
                // The next block did not come (a peer left or lied about its height, a response was cut by its byte
                // budget): set the peer that owed it aside for a while, so a false height cannot keep us "catching up".
                if (OwnerOf(head.Number + 1) is { } owner)
                {
                    _ignoredUntil[owner] = time.GetTimestamp() + (long)(_options.StallPenalty.TotalSeconds * time.TimestampFrequency);
                    _peerHeights.TryRemove(owner, out _);
                }
                _ranges.Clear();
                LogStalled(_logger, head.Number + 1);
                _requestedUpTo = head.Number;
                _lastProgress = time.GetTimestamp();
                RequestBlocks(head.Number, best);
            }
            await _wake.WaitAsync(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
        }
    }

    private bool ShouldCatchUp(ulong head, ulong best)
    {
        if (best <= head)
        {
            _oneBehindSince = null;
            return false;
        }
        if (_catchingUp || best >= head + 2) return true;
        if (_oneBehindSince is null || _oneBehindHead != head)
        {
            _oneBehindSince = _options.Time.GetTimestamp();
            _oneBehindHead = head;
        }
        return _options.Time.GetElapsedTime(_oneBehindSince.Value) >= _options.OneBehindGrace;
    }

    private void RequestBlocks(ulong head, ulong best)
    {
        ulong windowEnd = Math.Min(best, head + (ulong)_options.MaxBlocksAhead);
        // Request in whole batches: topping up one block at a time would send a request per delivered block.
        if (_requestedUpTo + (ulong)_options.BlocksPerRequest > windowEnd && _requestedUpTo > head) return;
        while (_requestedUpTo < windowEnd)
        {
            ulong from = _requestedUpTo + 1;
            var candidates = _peerHeights.Where(p => p.Value >= from).Select(p => p.Key).ToArray();
            if (candidates.Length == 0) return;
            var peer = candidates[(int)((uint)Interlocked.Increment(ref _nextPeer) % (uint)candidates.Length)];
            ulong last = Math.Min(windowEnd, Math.Min(_peerHeights.GetValueOrDefault(peer, from), from + (ulong)_options.BlocksPerRequest - 1));
            ushort count = (ushort)(last - from + 1);
            if (!_network.Send(peer, MessageKind.BlockRequest, EncodeBlockRequest(from, count)))
            {
                _peerHeights.TryRemove(peer, out _);
                continue;
            }
            _ranges[from] = (last, peer);
            _requestedUpTo = last;
        }
    }

    private PeerId? OwnerOf(ulong height)
    {
        foreach (var (from, range) in _ranges)
            if (from <= height && height <= range.Last) return range.Peer;
        return null;
    }

    private bool TryTakeFetched(ulong height, out (PeerId From, byte[] Payload) entry)
    {
        if (!_fetched.TryRemove(height, out entry)) return false;
        Interlocked.Add(ref _fetchedBytes, -entry.Payload.Length);
        if (_ranges.Count > 0 && _ranges.Remove(height, out var range) && range.Last > height) _ranges[height + 1] = range;
        return true;
    }

    private bool TryVerify(byte[] payload, BlockHeader head, out Block block, out string error)
    {
        block = null!;
        if (!BlockCodec.TryDecode(payload, _options.MaxTransactionBytes, out var decoded, out error)) return false;
        block = decoded;
        if (decoded.Number != head.Number + 1 || decoded.Header.PreviousHash != head.Hash) { error = $"block {decoded.Number} does not extend our head {head.Number} {head.Hash}"; return false; }
        if (decoded.Commit is null) { error = "block has no commit"; return false; }
        if (Block.ComputeTransactionsRoot(decoded.Transactions) != decoded.Header.TransactionsRoot) { error = "transactions do not match the header's root"; return false; }
        if (!decoded.Commit.Verify(_app.GetValidators(decoded.Number), _app.ChainId, decoded.Hash, decoded.Number, out var commitError))
        {
            error = "bad commit: " + commitError;
            return false;
        }
        return true;
    }

    /// <summary>Hands the block to the engine and waits for the app's head to reach it; false on failure or timeout.</summary>
    private async Task<bool> DeliverAsync(Block block, CancellationToken ct)
    {
        try { _deliver(block); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDeliverFailed(_logger, e, block.Number);
            return false;
        }
        long started = _options.Time.GetTimestamp();
        while (_app.LastHeader.Number < block.Number)
        {
            if (_options.Time.GetElapsedTime(started) > _options.DeliverTimeout)
            {
                LogDeliverTimedOut(_logger, block.Number, _options.DeliverTimeout.TotalSeconds);
                return false;
            }
            await Task.Delay(1, ct).ConfigureAwait(false);
        }
        return true;
    }

    private void Refuse(PeerId peer, string reason)
    {
        LogBadPeer(_logger, peer, reason);
        _network.Disconnect(peer, reason);
        _peerHeights.TryRemove(peer, out _);
        foreach (var (height, entry) in _fetched)
            if (entry.From == peer) TryTakeFetched(height, out _);
        ResetRequests();
    }

    private void ResetRequests()
    {
        _requestedUpTo = _app.LastHeader.Number;
        _ranges.Clear();
    }

    private void DropFetchedUpTo(ulong head)
    {
        foreach (var height in _fetched.Keys)
            if (height <= head) TryTakeFetched(height, out _);
        _ranges.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Block sync: at {Head}, a peer is at {Best}; catching up")]
    private static partial void LogCatchingUp(ILogger logger, ulong head, ulong best);

    [LoggerMessage(Level = LogLevel.Information, Message = "Block sync: fetched {Count} blocks ({From} → {To}) in {Ms:F0} ms, {Rate:F0} blocks/s")]
    private static partial void LogCaughtUp(ILogger logger, ulong count, ulong from, ulong to, double ms, double rate);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Block sync: block {Height} did not arrive; asking again")]
    private static partial void LogStalled(ILogger logger, ulong height);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Block sync: disconnecting {Peer}: {Reason}")]
    private static partial void LogBadPeer(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Block sync: delivering block {Height} failed")]
    private static partial void LogDeliverFailed(ILogger logger, Exception e, ulong height);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Block sync: block {Height} was not applied within {Seconds} s")]
    private static partial void LogDeliverTimedOut(ILogger logger, ulong height, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Block sync: request queue full; ignored a request from {Peer}")]
    private static partial void LogServeQueueFull(ILogger logger, PeerId peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Block sync: cannot serve block {Height} to {Peer}: {Reason}")]
    private static partial void LogServeFailed(ILogger logger, ulong height, PeerId peer, string reason);
}
