using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Consensus.Network;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Network;

/// <summary>Loopback nodes, raw (hand-driven) peers and bounded waits for the network tests.</summary>
internal static class NetworkTestKit
{
    public const byte ChainId = 0x50;
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static readonly ConcurrentDictionary<string, FalconKeyPair> Keys = new();

    public static FalconKeyPair Key(string label) => Keys.GetOrAdd(label, l => DevnetKeys.FromLabel("p2p-tests/" + l));

    public static TcpNetworkOptions Options(int port = 0, IReadOnlyList<string>? peers = null, int maxMessagesPerSecond = 5000) => new()
    {
        Listen = new IPEndPoint(IPAddress.Loopback, port),
        PersistentPeers = peers ?? [],
        MaxMessagesPerSecond = maxMessagesPerSecond,
        HandshakeTimeout = TimeSpan.FromSeconds(5),
    };

    public static async Task<TcpPeerNetwork> StartAsync(string label, TcpNetworkOptions? options = null, byte chainId = ChainId)
    {
        var network = new TcpPeerNetwork(options ?? Options(), Key(label), chainId, NullLoggerFactory.Instance);
        await network.StartAsync(CancellationToken.None);
        return network;
    }

    public static string HostPort(TcpPeerNetwork network) => $"127.0.0.1:{network.LocalEndPoint.Port}";

    /// <summary>Polls until the condition holds; false after the timeout (tests assert on it).</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Generous);
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(20);
        }
        return condition();
    }

    public static bool IsConnected(TcpPeerNetwork a, TcpPeerNetwork b) => a.Peers.Contains(b.LocalId) && b.Peers.Contains(a.LocalId);

    /// <summary>Records every message a network receives.</summary>
    public sealed class Inbox
    {
        public readonly ConcurrentQueue<(PeerId From, MessageKind Kind, byte[] Payload)> Messages = new();

        public Inbox(IPeerNetwork network) => network.MessageReceived += (from, kind, payload) => Messages.Enqueue((from, kind, payload.ToArray()));

        public bool Has(PeerId from, MessageKind kind, byte[] payload)
            => Messages.Any(m => m.From == from && m.Kind == kind && m.Payload.AsSpan().SequenceEqual(payload));
    }

    /// <summary>A hand-driven connection that can complete the handshake and then write anything.</summary>
    public sealed class RawPeer : IDisposable
    {
        private readonly TcpClient _client = new();

        // Taken once: after a reset, TcpClient.GetStream() refuses to hand it out again.
        public NetworkStream Stream { get; private set; } = null!;

        public static async Task<RawPeer> ConnectAsync(TcpPeerNetwork target)
        {
            var peer = new RawPeer();
            await peer._client.ConnectAsync(IPAddress.Loopback, target.LocalEndPoint.Port);
            peer.Stream = peer._client.GetStream();
            return peer;
        }

        public Task<Address> HandshakeAsync(FalconKeyPair key, byte chainId = ChainId)
            => PeerHandshake.RunAsync(Stream, key, chainId, new CancellationTokenSource(Generous).Token);

        public async Task WriteFrameAsync(byte kind, uint length, byte[] payload)
        {
            var header = new byte[5];
            header[0] = kind;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), length);
            await Stream.WriteAsync(header);
            await Stream.WriteAsync(payload);
            await Stream.FlushAsync();
        }

        /// <summary>True when the remote side closes the connection within the timeout (reads drain whatever it sends).</summary>
        public async Task<bool> ClosedByRemoteAsync()
        {
            using var cts = new CancellationTokenSource(Generous);
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    if (await Stream.ReadAsync(buffer, cts.Token) == 0) return true;
                }
            }
            catch (OperationCanceledException) { return false; }
            catch (IOException) { return true; }
            catch (SocketException) { return true; }
        }

        public void Dispose() => _client.Dispose();
    }
}
