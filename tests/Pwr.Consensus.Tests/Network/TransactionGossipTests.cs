using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Consensus.Network;
using Pwr.Consensus.Tests.Sync;
using Pwr.Core;
using static Pwr.Consensus.Tests.Network.NetworkTestKit;

namespace Pwr.Consensus.Tests.Network;

public class TransactionGossipTests
{
    [Fact]
    public async Task Published_transactions_reach_the_other_nodes_mempool()
    {
        using var chainA = new TestChain();
        using var chainB = new TestChain();
        await using var a = await StartAsync("gossip/a");
        await using var b = await StartAsync("gossip/b", Options(peers: [HostPort(a)]));
        await using var gossipA = new TransactionGossip(chainA.Chain, a, NullLoggerFactory.Instance);
        await using var gossipB = new TransactionGossip(chainB.Chain, b, NullLoggerFactory.Instance);
        Assert.True(await WaitUntilAsync(() => IsConnected(a, b)));

        var hashes = AdmitAndPublish(chainA, gossipA, 20);
        var fromB = chainB.Transfer(1, 0);
        Assert.True(chainB.Chain.CheckTx(fromB).Accepted);
        gossipB.Publish(fromB);

        Assert.True(await WaitUntilAsync(() => hashes.All(chainB.Chain.Mempool.Contains)));
        Assert.True(await WaitUntilAsync(() => chainA.Chain.Mempool.Count == 21));
        Assert.True(await WaitUntilAsync(() => gossipB.Accepted == 20));
        Assert.Equal(21, chainB.Chain.Mempool.Count);
        // Nothing is re-broadcast: a's own transactions do not come back to it.
        Assert.Equal(1, gossipA.Received);
    }

    [Fact]
    public async Task A_node_relays_what_it_gets_from_a_submitting_peer_once_so_a_node_two_hops_away_gets_it_too()
    {
        // a - b - c: a and c are not peers of each other.
        using var chainA = new TestChain();
        using var chainB = new TestChain();
        using var chainC = new TestChain();
        await using var b = await StartAsync("relay/b");
        await using var a = await StartAsync("relay/a", Options(peers: [HostPort(b)]));
        await using var c = await StartAsync("relay/c", Options(peers: [HostPort(b)]));
        await using var gossipA = new TransactionGossip(chainA.Chain, a, NullLoggerFactory.Instance);
        await using var gossipB = new TransactionGossip(chainB.Chain, b, NullLoggerFactory.Instance);
        await using var gossipC = new TransactionGossip(chainC.Chain, c, NullLoggerFactory.Instance);
        Assert.True(await WaitUntilAsync(() => IsConnected(a, b) && IsConnected(c, b)));
        Assert.False(IsConnected(a, c));

        var hashes = AdmitAndPublish(chainA, gossipA, 10);

        Assert.True(await WaitUntilAsync(() => hashes.All(chainC.Chain.Mempool.Contains)), "c never got a's transactions");
        Assert.True(hashes.All(chainB.Chain.Mempool.Contains));
        Assert.Equal(10, gossipB.Relayed);
        Assert.True(await WaitUntilAsync(() => gossipC.Accepted == 10));
        // One hop: c passes nothing on, and nothing comes back to a.
        Assert.Equal(0, gossipC.Relayed);
        await Task.Delay(200);
        Assert.Equal(0, gossipA.Received);
    }

    [Fact]
    public void Batch_round_trips_and_malformed_batches_are_refused()
    {
        byte[][] txs = [[1, 2, 3], new byte[1000], [7]];
        var batch = TransactionGossip.EncodeBatch(txs);
        Assert.True(TransactionGossip.TryDecodeBatch(batch, out var decoded));
        Assert.Equal(txs.Length, decoded.Count);
        Assert.Equal(txs[1], decoded[1]);
        Assert.False(TransactionGossip.TryDecodeBatch(batch.AsSpan(0, batch.Length - 1), out _));
        Assert.False(TransactionGossip.TryDecodeBatch([.. batch, 0], out _));
        Assert.False(TransactionGossip.TryDecodeBatch([0, 0, 0, 0], out _));
        Assert.False(TransactionGossip.TryDecodeBatch([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 5], out _));
    }

    [Fact]
    public async Task Peer_sending_a_malformed_batch_is_disconnected()
    {
        using var chain = new TestChain();
        await using var a = await StartAsync("gossip-bad/a");
        await using var gossip = new TransactionGossip(chain.Chain, a, NullLoggerFactory.Instance);
        var evilKey = Key("gossip-bad/evil");
        using var raw = await RawPeer.ConnectAsync(a);
        await raw.HandshakeAsync(evilKey);
        // Claims five transactions and carries none.
        await raw.WriteFrameAsync((byte)MessageKind.Transaction, 4, [0, 0, 0, 5]);
        Assert.True(await raw.ClosedByRemoteAsync());
        Assert.True(a.IsBanned(evilKey.Address));
        Assert.Equal(0, chain.Chain.Mempool.Count);
    }

    /// <summary>Admits <paramref name="count"/> transfers of sender 0 on <paramref name="chain"/> and publishes them.</summary>
    private static List<Hash32> AdmitAndPublish(TestChain chain, TransactionGossip gossip, int count)
    {
        var hashes = new List<Hash32>();
        for (uint nonce = 0; nonce < count; nonce++)
        {
            var raw = chain.Transfer(0, nonce);
            var admitted = chain.Chain.CheckTx(raw);
            Assert.True(admitted.Accepted, admitted.Message);
            gossip.Publish(raw);
            hashes.Add(admitted.Hash);
        }
        return hashes;
    }
}
