using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pwr.Core;

namespace Pwr.Consensus.Network;

/// <summary>
/// <see cref="IPeerNetwork"/> over TCP: every connection starts with the signed <see cref="PeerHandshake"/>, then
/// carries frames (u8 kind ‖ u32 length ‖ payload) checked against per-kind limits and a flood limit. Persistent
/// peers are dialled and re-dialled with exponential backoff; inbound connections are accepted up to a bound.
/// A peer that breaks the protocol is disconnected and refused for <see cref="TcpNetworkOptions.BanDuration"/>.
/// </summary>
public sealed partial class TcpPeerNetwork : IPeerNetwork, IAsyncDisposable
{
    private readonly TcpNetworkOptions _options;
    private readonly FalconKeyPair _key;
    private readonly byte _chainId;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<PeerId, PeerConnection> _peers = [];
    private readonly Dictionary<Address, DateTimeOffset> _bannedUntil = [];
    private readonly CancellationTokenSource _cts = new();
    private readonly List<Task> _loops = [];
    private PeerId[] _peerSnapshot = [];
    private TcpListener? _listener;
    private int _inbound;
    private bool _disposed;

    public TcpPeerNetwork(TcpNetworkOptions options, FalconKeyPair nodeKey, byte chainId, ILoggerFactory loggerFactory)
    {
        _options = options;
        _key = nodeKey;
        _chainId = chainId;
        _logger = loggerFactory.CreateLogger<TcpPeerNetwork>();
    }

    public event MessageHandler? MessageReceived;
    public event Action<PeerId, bool>? PeerChanged;

    /// <summary>This node's identity, as peers see it.</summary>
    public PeerId LocalId => new(_key.Address);

    /// <summary>The bound listening endpoint (with the real port when the options asked for port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener ?? throw new InvalidOperationException("the network is not started")).LocalEndpoint;

    public IReadOnlyCollection<PeerId> Peers => Volatile.Read(ref _peerSnapshot);

    /// <summary>Frames dropped because a peer's send queue was full (consensus re-sends what matters).</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);
    private long _droppedFrames;

    public Task StartAsync(CancellationToken ct)
    {
        _options.Validate();
        ct.ThrowIfCancellationRequested();
        _listener = new TcpListener(_options.Listen);
        _listener.Start(128);
        LogListening(_logger, LocalEndPoint, LocalId);
        lock (_lock)
        {
            _loops.Add(Task.Run(AcceptLoopAsync));
            foreach (var peer in _options.PersistentPeers) _loops.Add(Task.Run(() => DialLoopAsync(peer)));
        }
        return Task.CompletedTask;
    }

    public void Broadcast(MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        var frame = CheckedCopy(kind, payload);
        PeerConnection[] targets;
        lock (_lock) targets = [.. _peers.Values];
        foreach (var c in targets) Enqueue(c, kind, frame);
    }

    public bool Send(PeerId peer, MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        PeerConnection? c;
        lock (_lock) _peers.TryGetValue(peer, out c);
        if (c is null) return false;
        Enqueue(c, kind, CheckedCopy(kind, payload));
        return true;
    }

    public void Disconnect(PeerId peer, string reason)
    {
        PeerConnection? c;
        lock (_lock)
        {
            _peers.TryGetValue(peer, out c);
            Ban(peer.Address);
        }
        c?.Close(reason, misbehaved: true);
    }

    /// <summary>True while <paramref name="peer"/> is refused after misbehaving.</summary>
    public bool IsBanned(Address peer)
    {
        lock (_lock) return IsBannedLocked(peer);
    }

    private ReadOnlyMemory<byte> CheckedCopy(MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        int limit = _options.MaxPayloadBytes(kind);
        if (limit < 0) throw new ArgumentException($"unknown message kind {(byte)kind}", nameof(kind));
        if (payload.Length > limit) throw new ArgumentException($"{kind} payload of {payload.Length} bytes exceeds the limit of {limit}", nameof(payload));
        // Callers may reuse their buffer once this returns; the writers send later.
        return payload.ToArray();
    }

    private void Enqueue(PeerConnection c, MessageKind kind, ReadOnlyMemory<byte> frame)
    {
        if (c.TryEnqueue(kind, frame)) return;
        if (Interlocked.Increment(ref _droppedFrames) % 1000 == 1) LogDropped(_logger, kind, c.Id);
    }

    private async Task AcceptLoopAsync()
    {
        var ct = _cts.Token;
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener!.AcceptTcpClientAsync(ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException e) { LogAcceptFailed(_logger, e.Message); continue; }
            if (Interlocked.Increment(ref _inbound) > _options.MaxInboundPeers)
            {
                Interlocked.Decrement(ref _inbound);
                LogRefused(_logger, client.Client.RemoteEndPoint?.ToString() ?? "?", $"more than {_options.MaxInboundPeers} inbound peers");
                client.Dispose();
                continue;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    var outcome = await ConnectPeerAsync(client, outbound: false).ConfigureAwait(false);
                    if (outcome is { Created: true, Connection: { } c }) await c.Closed.ConfigureAwait(false);
                }
                finally { Interlocked.Decrement(ref _inbound); }
            }, CancellationToken.None);
        }
    }

    private async Task DialLoopAsync(string hostPort)
    {
        var ct = _cts.Token;
        TcpNetworkOptions.TryParseHostPort(hostPort, out var host, out var port);
        var backoff = _options.ReconnectInitialDelay;
        while (!ct.IsCancellationRequested)
        {
            PeerConnection? active = null;
            var client = new TcpClient();
            try
            {
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    timeout.CancelAfter(_options.HandshakeTimeout);
                    await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
                }
                var outcome = await ConnectPeerAsync(client, outbound: true).ConfigureAwait(false);
                if (outcome.Self)
                {
                    LogSelfPeer(_logger, hostPort);
                    return;
                }
                active = outcome.Connection;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                client.Dispose();
                if (ct.IsCancellationRequested) return;
                LogDialFailed(_logger, hostPort, e.Message, backoff.TotalMilliseconds);
            }
            if (active is not null)
            {
                backoff = _options.ReconnectInitialDelay;
                try { await active.Closed.WaitAsync(ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
            try { await Task.Delay(backoff, _options.Time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            if (active is null) backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
        }
    }

    private readonly record struct ConnectOutcome(PeerConnection? Connection, bool Self, bool Created = false);

    /// <summary>Handshake, admission checks and registration; the connection that now serves the peer, if any.</summary>
    private async Task<ConnectOutcome> ConnectPeerAsync(TcpClient client, bool outbound)
    {
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        client.NoDelay = true;
        Address peer;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token))
        {
            timeout.CancelAfter(_options.HandshakeTimeout);
            try { peer = await PeerHandshake.RunAsync(client.GetStream(), _key, _chainId, timeout.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is InvalidDataException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                var reason = e is OperationCanceledException ? $"handshake timed out after {_options.HandshakeTimeout.TotalSeconds} s" : "handshake failed: " + e.Message;
                LogRefused(_logger, remote, reason);
                client.Dispose();
                return new ConnectOutcome(null, e.Message == PeerHandshake.SelfConnection);
            }
        }
        var id = new PeerId(peer);
        string? refusal = null;
        PeerConnection? replaced = null;
        PeerConnection? connection = null;
        lock (_lock)
        {
            if (_disposed) refusal = "the network is shutting down";
            else if (IsBannedLocked(peer)) refusal = "peer is banned for misbehaving";
            else if (_options.IsAllowedPeer is { } allowed && !allowed(peer)) refusal = "peer is not allowed";
            else if (_peers.TryGetValue(id, out var existing) && IsPreferred(existing.Outbound, peer) && !IsPreferred(outbound, peer))
            {
                // Both sides apply the same rule (the lower address's outbound connection wins), so they keep the same one.
                refusal = "duplicate connection";
                connection = existing;
            }
            else
            {
                if (_peers.TryGetValue(id, out var old)) { old.Replaced = true; replaced = old; }
                connection = new PeerConnection(client, id, outbound, _options.SendQueueCapacity);
                _peers[id] = connection;
                _peerSnapshot = [.. _peers.Keys];
            }
        }
        if (refusal is not null)
        {
            LogRefusedPeer(_logger, id, remote, refusal);
            client.Dispose();
            return new ConnectOutcome(connection, false);
        }
        replaced?.Close("replaced by a newer connection");
        LogConnected(_logger, id, remote, outbound ? "outbound" : "inbound");
        if (replaced is null) RaisePeerChanged(id, true);
        connection!.Start(_options, OnFrame, OnClosed);
        return new ConnectOutcome(connection, false, Created: true);
    }

    private bool IsPreferred(bool outbound, Address peer) => (_key.Address.CompareTo(peer) < 0) == outbound;

    private bool IsBannedLocked(Address peer)
    {
        if (!_bannedUntil.TryGetValue(peer, out var until)) return false;
        if (until > _options.Time.GetUtcNow()) return true;
        _bannedUntil.Remove(peer);
        return false;
    }

    private void Ban(Address peer) => _bannedUntil[peer] = _options.Time.GetUtcNow() + _options.BanDuration;

    private void OnFrame(PeerConnection c, MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        try { MessageReceived?.Invoke(c.Id, kind, payload); }
        catch (Exception e) { LogHandlerFailed(_logger, e, kind, c.Id); }
    }

    private void OnClosed(PeerConnection c)
    {
        bool removed = false;
        lock (_lock)
        {
            if (c.Misbehaved) Ban(c.Id.Address);
            if (_peers.TryGetValue(c.Id, out var current) && ReferenceEquals(current, c))
            {
                _peers.Remove(c.Id);
                _peerSnapshot = [.. _peers.Keys];
                removed = true;
            }
        }
        if (c.Misbehaved) LogMisbehaved(_logger, c.Id, c.CloseReason ?? "");
        else LogDisconnected(_logger, c.Id, c.CloseReason ?? "");
        if (removed) RaisePeerChanged(c.Id, false);
    }

    private void RaisePeerChanged(PeerId id, bool connected)
    {
        try { PeerChanged?.Invoke(id, connected); }
        catch (Exception e) { LogHandlerFailed(_logger, e, null, id); }
    }

    public async ValueTask DisposeAsync()
    {
        PeerConnection[] connections;
        Task[] loops;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            connections = [.. _peers.Values];
            loops = [.. _loops];
        }
        _cts.Cancel();
        _listener?.Stop();
        foreach (var c in connections) c.Close("node shutting down");
        try { await Task.WhenAll(loops).ConfigureAwait(false); } catch (OperationCanceledException) { }
        await Task.WhenAll(connections.Select(c => c.Closed)).ConfigureAwait(false);
        _cts.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "P2P listening on {EndPoint} as {Id}")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint, PeerId id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Id} connected ({Remote}, {Direction})")]
    private static partial void LogConnected(ILogger logger, PeerId id, string remote, string direction);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Id} disconnected: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, PeerId id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peer {Id} disconnected and banned for a while: {Reason}")]
    private static partial void LogMisbehaved(ILogger logger, PeerId id, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused connection from {Remote}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused connection of {Id} ({Remote}): {Reason}")]
    private static partial void LogRefusedPeer(ILogger logger, PeerId id, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dialling {Peer} failed: {Reason}; retry in {DelayMs} ms")]
    private static partial void LogDialFailed(ILogger logger, string peer, string reason, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Persistent peer {Peer} is this node; not dialling it again")]
    private static partial void LogSelfPeer(ILogger logger, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting a connection failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Send queue of {Id} is full; dropped a {Kind} frame")]
    private static partial void LogDropped(ILogger logger, MessageKind kind, PeerId id);

    [LoggerMessage(Level = LogLevel.Error, Message = "A handler of {Kind} from {Id} threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception e, MessageKind? kind, PeerId id);
}
