// Placeholders for colleagues' parts of issue 5 so that the node composes and compiles before they are merged.
// Deleted at merge time in favour of the real types, which have exactly these public signatures.
#pragma warning disable CA1822, IDE0060
using System.Net;
using Microsoft.Extensions.Logging;
using Pwr.Chain;
using Pwr.Consensus.Network;
using Pwr.Core;

namespace Pwr.Consensus.Network
{
    /// <summary>Placeholder: TCP transport options.</summary>
    public sealed class TcpNetworkOptions
    {
        public required IPEndPoint Listen { get; init; }
        public IReadOnlyList<string> PersistentPeers { get; init; } = [];
    }

    /// <summary>Placeholder: authenticated TCP peer network.</summary>
    public sealed class TcpPeerNetwork : IPeerNetwork, IAsyncDisposable
    {
        public TcpPeerNetwork(TcpNetworkOptions options, FalconKeyPair nodeKey, byte chainId, ILoggerFactory loggerFactory)
            => throw new NotImplementedException("TcpPeerNetwork is not merged yet");
        public Task StartAsync(CancellationToken ct) => throw new NotImplementedException();
        public IPEndPoint LocalEndPoint => throw new NotImplementedException();
        public event MessageHandler? MessageReceived { add { } remove { } }
        public event Action<PeerId, bool>? PeerChanged { add { } remove { } }
        public IReadOnlyCollection<PeerId> Peers => throw new NotImplementedException();
        public void Broadcast(MessageKind kind, ReadOnlyMemory<byte> payload) => throw new NotImplementedException();
        public bool Send(PeerId peer, MessageKind kind, ReadOnlyMemory<byte> payload) => throw new NotImplementedException();
        public void Disconnect(PeerId peer, string reason) => throw new NotImplementedException();
        public ValueTask DisposeAsync() => throw new NotImplementedException();
    }

    /// <summary>Placeholder: gossips admitted transactions to peers.</summary>
    public sealed class TransactionGossip
    {
        public TransactionGossip(IChainApplication app, IPeerNetwork network, ILoggerFactory loggerFactory)
            => throw new NotImplementedException("TransactionGossip is not merged yet");
        public void Publish(byte[] rawTx) => throw new NotImplementedException();
    }
}

namespace Pwr.Consensus.Sync
{
    /// <summary>Placeholder: block sync options.</summary>
    public sealed class BlockSyncOptions;

    /// <summary>Placeholder: catches a lagging node up from peers' finalized blocks.</summary>
    public sealed class BlockSyncService
    {
        public BlockSyncService(IChainApplication app, IPeerNetwork network, Action<Block> deliver, BlockSyncOptions options, ILoggerFactory loggerFactory)
            => throw new NotImplementedException("BlockSyncService is not merged yet");
        public Task RunAsync(CancellationToken ct) => throw new NotImplementedException();
        public ulong BestPeerHeight => throw new NotImplementedException();
        public bool IsCatchingUp => throw new NotImplementedException();
    }
}
