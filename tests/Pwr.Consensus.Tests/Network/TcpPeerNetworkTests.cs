using Pwr.Consensus.Network;
using static Pwr.Consensus.Tests.Network.NetworkTestKit;

namespace Pwr.Consensus.Tests.Network;

public class TcpPeerNetworkTests
{
    [Fact]
    public async Task Two_nodes_connect_and_exchange_messages_in_both_directions()
    {
        await using var a = await StartAsync("two/a");
        await using var b = await StartAsync("two/b", Options(peers: [HostPort(a)]));
        var inboxA = new Inbox(a);
        var inboxB = new Inbox(b);
        Assert.True(await WaitUntilAsync(() => IsConnected(a, b)));

        a.Broadcast(MessageKind.Vote, new byte[] { 1, 2, 3 });
        Assert.True(b.Send(a.LocalId, MessageKind.Status, new byte[] { 4, 5 }));

        Assert.True(await WaitUntilAsync(() => inboxB.Has(a.LocalId, MessageKind.Vote, [1, 2, 3])));
        Assert.True(await WaitUntilAsync(() => inboxA.Has(b.LocalId, MessageKind.Status, [4, 5])));
        Assert.Single(a.Peers);
        Assert.Single(b.Peers);
    }

    [Fact]
    public async Task Three_nodes_form_a_mesh_and_a_broadcast_reaches_both_others()
    {
        await using var a = await StartAsync("three/a");
        await using var b = await StartAsync("three/b", Options(peers: [HostPort(a)]));
        await using var c = await StartAsync("three/c", Options(peers: [HostPort(a), HostPort(b)]));
        var inboxA = new Inbox(a);
        var inboxB = new Inbox(b);
        var inboxC = new Inbox(c);
        Assert.True(await WaitUntilAsync(() => IsConnected(a, b) && IsConnected(a, c) && IsConnected(b, c)));

        var payload = new byte[100_000];
        Random.Shared.NextBytes(payload);
        c.Broadcast(MessageKind.Proposal, payload);
        b.Broadcast(MessageKind.Vote, new byte[] { 9 });

        Assert.True(await WaitUntilAsync(() => inboxA.Has(c.LocalId, MessageKind.Proposal, payload) && inboxB.Has(c.LocalId, MessageKind.Proposal, payload)));
        Assert.True(await WaitUntilAsync(() => inboxA.Has(b.LocalId, MessageKind.Vote, [9]) && inboxC.Has(b.LocalId, MessageKind.Vote, [9])));
        Assert.Equal(2, a.Peers.Count);
    }

    [Fact]
    public async Task Nodes_that_dial_each_other_keep_exactly_one_connection()
    {
        int portA = await FreePortAsync("dup/probe-a");
        int portB = await FreePortAsync("dup/probe-b");
        await using var a = await StartAsync("dup/a", Options(port: portA, peers: [$"127.0.0.1:{portB}"]));
        await using var b = await StartAsync("dup/b", Options(port: portB, peers: [$"127.0.0.1:{portA}"]));
        var inboxB = new Inbox(b);
        Assert.True(await WaitUntilAsync(() => IsConnected(a, b)));
        await Task.Delay(1000); // let both dial loops settle
        Assert.True(IsConnected(a, b));
        a.Broadcast(MessageKind.Vote, new byte[] { 7 });
        Assert.True(await WaitUntilAsync(() => inboxB.Has(a.LocalId, MessageKind.Vote, [7])));
        Assert.Single(a.Peers);
        Assert.Single(b.Peers);
    }

    private static async Task<int> FreePortAsync(string label)
    {
        await using var probe = await StartAsync(label);
        return probe.LocalEndPoint.Port;
    }

    [Fact]
    public async Task Handshake_refuses_a_peer_on_another_chain()
    {
        await using var a = await StartAsync("chain/a");
        await using var b = await StartAsync("chain/b", Options(peers: [HostPort(a)]), chainId: ChainId + 1);
        using var raw = await RawPeer.ConnectAsync(a);
        await Assert.ThrowsAnyAsync<Exception>(() => raw.HandshakeAsync(Key("chain/raw"), ChainId + 1));
        await Task.Delay(500);
        Assert.Empty(a.Peers);
        Assert.Empty(b.Peers);
    }

    [Fact]
    public async Task Handshake_refuses_an_impostor_that_claims_another_nodes_key()
    {
        await using var a = await StartAsync("impostor/a");
        var changes = 0;
        a.PeerChanged += (_, _) => Interlocked.Increment(ref changes);
        var victim = Key("impostor/victim");
        var impostor = Key("impostor/evil");
        using var raw = await RawPeer.ConnectAsync(a);

        await raw.Stream.WriteAsync(PeerHandshake.EncodeHello(ChainId, victim.PublicKey, PeerHandshake.NewChallenge()));
        var hello = new byte[PeerHandshake.HelloSize];
        await raw.Stream.ReadExactlyAsync(hello);
        Assert.True(PeerHandshake.TryDecodeHello(hello, out var parsed, out _));
        // Signs the node's challenge with its own key while claiming the victim's.
        var signature = impostor.Sign(PeerHandshake.AuthDigest(ChainId, parsed!.Challenge, victim.PublicKey).ToArray());
        await raw.Stream.WriteAsync(new byte[] { (byte)(signature.Length >> 8), (byte)signature.Length });
        await raw.Stream.WriteAsync(signature);

        Assert.True(await raw.ClosedByRemoteAsync());
        Assert.Empty(a.Peers);
        Assert.Equal(0, changes);
    }

    [Fact]
    public async Task Connection_that_never_completes_the_handshake_is_closed()
    {
        var options = new TcpNetworkOptions { Listen = Options().Listen, HandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        await using var a = await StartAsync("silent/a", options);
        using var raw = await RawPeer.ConnectAsync(a);
        Assert.True(await raw.ClosedByRemoteAsync());
        Assert.Empty(a.Peers);
    }

    [Fact]
    public async Task Node_listed_as_its_own_persistent_peer_does_not_connect_to_itself()
    {
        int port = await FreePortAsync("self/probe");
        await using var a = await StartAsync("self/a", Options(port: port, peers: [$"127.0.0.1:{port}"]));
        await Task.Delay(1000);
        Assert.Empty(a.Peers);
    }

    public static TheoryData<string> Violations => ["garbage", "oversized", "unknown-kind", "flood"];

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Peer_that_breaks_the_protocol_is_disconnected_and_banned_while_others_keep_working(string violation)
    {
        await using var a = await StartAsync("violation/a", Options(maxMessagesPerSecond: 100));
        await using var honest = await StartAsync("violation/honest", Options(peers: [HostPort(a)]));
        var inboxA = new Inbox(a);
        var inboxHonest = new Inbox(honest);
        Assert.True(await WaitUntilAsync(() => IsConnected(a, honest)));

        var evilKey = Key("violation/evil-" + violation);
        using var raw = await RawPeer.ConnectAsync(a);
        var evil = await raw.HandshakeAsync(evilKey);
        Assert.Equal(a.LocalId.Address, evil);
        Assert.True(await WaitUntilAsync(() => a.Peers.Count == 2));
        try
        {
            switch (violation)
            {
                case "garbage":
                    var garbage = new byte[4096];
                    new Random(5).NextBytes(garbage);
                    garbage[0] = 0xEE;
                    await raw.Stream.WriteAsync(garbage);
                    break;
                case "oversized":
                    await raw.WriteFrameAsync((byte)MessageKind.Vote, 2048, new byte[2048]);
                    break;
                case "unknown-kind":
                    await raw.WriteFrameAsync(99, 4, [1, 2, 3, 4]);
                    break;
                case "flood":
                    for (int i = 0; i < 1000; i++) await raw.WriteFrameAsync((byte)MessageKind.Vote, 1, [1]);
                    break;
            }
        }
        catch (IOException) { } // the node may cut us off while we are still writing
        Assert.True(await raw.ClosedByRemoteAsync());
        Assert.True(await WaitUntilAsync(() => !a.Peers.Contains(new PeerId(evilKey.Address))));
        Assert.True(a.IsBanned(evilKey.Address));

        // The banned key is refused when it comes back.
        using var again = await RawPeer.ConnectAsync(a);
        await again.HandshakeAsync(evilKey);
        Assert.True(await again.ClosedByRemoteAsync());

        a.Broadcast(MessageKind.Vote, new byte[] { 42 });
        honest.Broadcast(MessageKind.Vote, new byte[] { 43 });
        Assert.True(await WaitUntilAsync(() => inboxHonest.Has(a.LocalId, MessageKind.Vote, [42]) && inboxA.Has(honest.LocalId, MessageKind.Vote, [43])));
        Assert.Contains(honest.LocalId, a.Peers);
    }

    [Fact]
    public async Task Disconnect_drops_the_peer_and_refuses_it_for_a_while()
    {
        await using var a = await StartAsync("disconnect/a");
        await using var b = await StartAsync("disconnect/b", Options(peers: [HostPort(a)]));
        Assert.True(await WaitUntilAsync(() => IsConnected(a, b)));
        a.Disconnect(b.LocalId, "sent an invalid vote");
        Assert.True(await WaitUntilAsync(() => b.Peers.Count == 0));
        await Task.Delay(1500); // b keeps re-dialling; a keeps refusing
        Assert.Empty(a.Peers);
        Assert.True(a.IsBanned(b.LocalId.Address));
    }

    [Fact]
    public async Task Persistent_peer_is_redialled_after_it_restarts()
    {
        var b = await StartAsync("restart/b");
        int port = b.LocalEndPoint.Port;
        await using var a = await StartAsync("restart/a", Options(peers: [$"127.0.0.1:{port}"]));
        var events = new System.Collections.Concurrent.ConcurrentQueue<bool>();
        a.PeerChanged += (_, connected) => events.Enqueue(connected);
        Assert.True(await WaitUntilAsync(() => IsConnected(a, b)));

        await b.DisposeAsync();
        Assert.True(await WaitUntilAsync(() => a.Peers.Count == 0));

        await using var restarted = await StartAsync("restart/b", Options(port: port));
        var inbox = new Inbox(restarted);
        Assert.True(await WaitUntilAsync(() => IsConnected(a, restarted)));
        a.Broadcast(MessageKind.Vote, new byte[] { 1 });
        Assert.True(await WaitUntilAsync(() => inbox.Has(a.LocalId, MessageKind.Vote, [1])));
        Assert.Contains(false, events);
        Assert.True(events.Last());
    }

    [Fact]
    public async Task Sending_a_payload_over_the_kinds_limit_is_a_caller_bug()
    {
        await using var a = await StartAsync("limit/a");
        Assert.Throws<ArgumentException>(() => a.Broadcast(MessageKind.Vote, new byte[2048]));
        Assert.False(a.Send(new PeerId(Key("limit/nobody").Address), MessageKind.Vote, new byte[1]));
    }

    [Fact]
    public async Task Peer_outside_the_allow_list_is_refused_after_the_handshake()
    {
        var allowed = Key("allow/friend").Address;
        var options = new TcpNetworkOptions { Listen = Options().Listen, IsAllowedPeer = a => a == allowed };
        await using var a = await StartAsync("allow/a", options);
        await using var friend = await StartAsync("allow/friend", Options(peers: [HostPort(a)]));
        using var stranger = await RawPeer.ConnectAsync(a);
        await stranger.HandshakeAsync(Key("allow/stranger"));
        Assert.True(await stranger.ClosedByRemoteAsync());
        Assert.True(await WaitUntilAsync(() => IsConnected(a, friend)));
        Assert.Equal([friend.LocalId], a.Peers);
    }

    [Fact]
    public async Task Inbound_connections_beyond_the_limit_are_closed()
    {
        var options = new TcpNetworkOptions { Listen = Options().Listen, MaxInboundPeers = 1 };
        await using var a = await StartAsync("inbound/a", options);
        using var first = await RawPeer.ConnectAsync(a);
        await first.HandshakeAsync(Key("inbound/first"));
        Assert.True(await WaitUntilAsync(() => a.Peers.Count == 1));
        using var second = await RawPeer.ConnectAsync(a);
        Assert.True(await second.ClosedByRemoteAsync());
        Assert.Single(a.Peers);
    }

    [Fact]
    public async Task Broadcast_to_a_peer_that_stops_reading_drops_frames_instead_of_blocking()
    {
        var options = new TcpNetworkOptions { Listen = Options().Listen, SendQueueCapacity = 4 };
        await using var a = await StartAsync("slow/a", options);
        using var slow = await RawPeer.ConnectAsync(a);
        await slow.HandshakeAsync(Key("slow/reader"));
        Assert.True(await WaitUntilAsync(() => a.Peers.Count == 1));
        var payload = new byte[1024 * 1024];
        // The raw peer never reads: socket buffers fill, then the 4-frame queue, then frames are dropped.
        var broadcasting = Task.Run(() =>
        {
            for (int i = 0; i < 200; i++) a.Broadcast(MessageKind.Proposal, payload);
        });
        Assert.True(await WaitUntilAsync(() => broadcasting.IsCompleted));
        Assert.True(a.DroppedFrames > 0);
        Assert.Single(a.Peers);
    }
}
