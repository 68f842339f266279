using System.Collections.Concurrent;
using System.Threading.Channels;
using Pwr.Consensus.Network;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Engine;

/// <summary>
/// Loopback-free test network: every joined node reaches every other one through a per-node delivery thread,
/// unless a switch drops it (node offline, or a partition between two sides).
/// </summary>
public sealed class InMemoryNetwork : IDisposable
{
    private readonly ConcurrentDictionary<Address, InMemoryPeerNetwork> _nodes = new();
    private readonly ConcurrentDictionary<Address, bool> _offline = new();
    private volatile HashSet<Address>? _partitionSide;

    public ConcurrentQueue<(Address From, MessageKind Kind, byte[] Payload)> Sent { get; } = new();
    public ConcurrentQueue<(Address By, Address Peer, string Reason)> Disconnects { get; } = new();
    public bool RecordSent { get; set; }

    public InMemoryPeerNetwork Join(Address address) => _nodes.GetOrAdd(address, a => new InMemoryPeerNetwork(this, a));

    public void SetOffline(Address address, bool offline) => _offline[address] = offline;

    /// <summary>Splits the network into the given side and everyone else.</summary>
    public void Partition(IEnumerable<Address> side) => _partitionSide = [.. side];

    public void Heal() => _partitionSide = null;

    internal bool CanReach(Address from, Address to)
    {
        if (from == to || _offline.GetValueOrDefault(from) || _offline.GetValueOrDefault(to)) return false;
        var side = _partitionSide;
        return side is null || side.Contains(from) == side.Contains(to);
    }

    internal IReadOnlyCollection<PeerId> PeersOf(Address self) => [.. _nodes.Keys.Where(a => CanReach(self, a)).Select(a => new PeerId(a))];

    internal void Deliver(Address from, Address to, MessageKind kind, byte[] payload)
    {
        if (CanReach(from, to) && _nodes.TryGetValue(to, out var node)) node.Enqueue(from, kind, payload);
    }

    internal void Send(Address from, MessageKind kind, byte[] payload)
    {
        if (RecordSent) Sent.Enqueue((from, kind, payload));
    }

    internal IEnumerable<Address> Addresses => _nodes.Keys;

    public void Dispose()
    {
        foreach (var n in _nodes.Values) n.Dispose();
    }
}

/// <summary>One node's view of an <see cref="InMemoryNetwork"/>.</summary>
public sealed class InMemoryPeerNetwork : IPeerNetwork, IDisposable
{
    private readonly InMemoryNetwork _hub;
    private readonly Address _self;
    private readonly Channel<(Address, MessageKind, byte[])> _queue = Channel.CreateUnbounded<(Address, MessageKind, byte[])>();
    private readonly Thread _thread;

    internal InMemoryPeerNetwork(InMemoryNetwork hub, Address self)
    {
        _hub = hub;
        _self = self;
        _thread = new Thread(DeliverLoop) { IsBackground = true, Name = "net " + self };
        _thread.Start();
    }

    public event MessageHandler? MessageReceived;
    public event Action<PeerId, bool>? PeerChanged;

    public IReadOnlyCollection<PeerId> Peers => _hub.PeersOf(_self);

    public void Broadcast(MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        var bytes = payload.ToArray();
        _hub.Send(_self, kind, bytes);
        foreach (var to in _hub.Addresses) _hub.Deliver(_self, to, kind, bytes);
    }

    public bool Send(PeerId peer, MessageKind kind, ReadOnlyMemory<byte> payload)
    {
        if (!_hub.CanReach(_self, peer.Address)) return false;
        var bytes = payload.ToArray();
        _hub.Send(_self, kind, bytes);
        _hub.Deliver(_self, peer.Address, kind, bytes);
        return true;
    }

    public void Disconnect(PeerId peer, string reason) => _hub.Disconnects.Enqueue((_self, peer.Address, reason));

    /// <summary>Delivers a message to this node as if <paramref name="from"/> had sent it.</summary>
    public void Inject(Address from, MessageKind kind, byte[] payload) => Enqueue(from, kind, payload);

    internal void Enqueue(Address from, MessageKind kind, byte[] payload) => _queue.Writer.TryWrite((from, kind, payload));

    private void DeliverLoop()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            while (reader.TryRead(out var m))
                MessageReceived?.Invoke(new PeerId(m.Item1), m.Item2, m.Item3);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        PeerChanged?.Invoke(new PeerId(_self), false);
    }
}
