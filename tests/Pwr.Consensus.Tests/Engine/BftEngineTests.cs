using Pwr.Chain;
using Pwr.Consensus.Network;
using Pwr.Consensus.Tendermint;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Engine;

public class BftEngineTests
{
    private static readonly TimeSpan Generous = BftCluster.Generous;

    private static void AssertIdenticalChains(IEnumerable<BftNode> nodes, ulong upTo)
    {
        var list = nodes.ToList();
        for (ulong h = 1; h <= upTo; h++)
        {
            var hashes = list.Select(n => n.Chain.GetBlock(h)!.Hash).Distinct().ToList();
            Assert.Single(hashes);
            var block = list[0].Chain.GetBlock(h)!;
            Assert.True(block.Commit!.Verify(list[0].Chain.Validators, 0x50, block.Hash, h, out var error), error);
        }
    }

    [Fact]
    public async Task Four_validators_finalize_identical_blocks_including_a_submitted_transfer()
    {
        await using var cluster = new BftCluster();
        cluster.StartAll();
        var sender = DevnetKeys.Account(0);
        var receiver = DevnetKeys.Account(1).Address;
        var tx = TransactionBuilder.Sign(TransactionBuilder.Transfer(0x50, 0, 1_000, sender.Address, receiver, 5 * Units.PerPwr), sender);
        foreach (var n in cluster.Nodes) Assert.True(n.Chain.CheckTx(tx).Accepted);
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, 4, Generous));
        AssertIdenticalChains(cluster.Nodes, 4);
        Assert.True(await WaitUntil(() => cluster.Nodes.All(n => n.Chain.Ledger.GetAccount(receiver).Balance == 1_000_005 * Units.PerPwr), Generous));
        Assert.All(cluster.Nodes, n => Assert.Empty(n.Equivocations));
        Assert.Empty(cluster.Network.Disconnects);
        var proposers = Enumerable.Range(1, 4).Select(h => cluster.Nodes[0].Chain.GetBlock((ulong)h)!.Header.Proposer).Distinct().Count();
        Assert.True(proposers > 1, "blocks come from more than one proposer");
    }

    [Fact]
    public async Task Empty_blocks_are_spaced_by_the_block_interval()
    {
        await using var cluster = new BftCluster();
        cluster.StartAll();
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, 4, Generous));
        var chain = cluster.Nodes[0].Chain;
        for (ulong h = 2; h <= 4; h++)
            Assert.True(chain.GetBlock(h)!.Header.TimestampMs >= chain.GetBlock(h - 1)!.Header.TimestampMs + 150);
    }

    [Fact]
    public async Task One_stopped_validator_does_not_stop_the_others()
    {
        await using var cluster = new BftCluster();
        cluster.StartAll();
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, 1, Generous));
        await cluster.Nodes[3].StopAsync();
        var live = cluster.Nodes[..3];
        var from = live.Max(n => n.Height);
        Assert.True(await BftCluster.WaitForHeightAsync(live, from + 4, Generous));
        AssertIdenticalChains(live, from + 4);
    }

    [Fact]
    public async Task Two_stopped_validators_halt_finalization_until_they_restart()
    {
        await using var cluster = new BftCluster();
        cluster.StartAll();
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, 1, Generous));
        await cluster.Nodes[2].StopAsync();
        await cluster.Nodes[3].StopAsync();
        await Task.Delay(1500); // let in-flight decisions land
        var stuck = cluster.Nodes[..2].Max(n => n.Height);
        await Task.Delay(2000);
        Assert.Equal(stuck, cluster.Nodes[..2].Max(n => n.Height));
        cluster.Nodes[2].Start();
        cluster.Nodes[3].Start();
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, stuck + 2, Generous));
        AssertIdenticalChains(cluster.Nodes, stuck + 2);
    }

    [Fact]
    public async Task Two_two_partition_finalizes_nothing_until_healed()
    {
        await using var cluster = new BftCluster();
        cluster.StartAll();
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, 1, Generous));
        cluster.Network.Partition([cluster.Nodes[0].Address, cluster.Nodes[1].Address]);
        await Task.Delay(1500);
        var stuck = cluster.Nodes.Max(n => n.Height);
        await Task.Delay(2000);
        Assert.Equal(stuck, cluster.Nodes.Max(n => n.Height));
        cluster.Network.Heal();
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, stuck + 2, Generous));
        AssertIdenticalChains(cluster.Nodes, stuck + 2);
    }

    [Fact]
    public async Task Equivocating_validator_is_detected_and_the_others_stay_live()
    {
        await using var cluster = new BftCluster();
        cluster.Nodes[3].Options = BftCluster.FastOptions(equivocate: true);
        cluster.StartAll();
        var honest = cluster.Nodes[..3];
        Assert.True(await BftCluster.WaitForHeightAsync(honest, 4, Generous));
        AssertIdenticalChains(honest, 4);
        Assert.True(await WaitUntil(() => honest.All(n => { lock (n.Equivocations) return n.Equivocations.Count > 0; }), Generous));
        foreach (var n in honest)
        {
            lock (n.Equivocations)
            {
                var (first, second) = n.Equivocations[0];
                Assert.Equal(cluster.Nodes[3].Address, first.Validator);
                Assert.Equal((first.Validator, first.Height, first.Round, first.Type), (second.Validator, second.Height, second.Round, second.Type));
                Assert.NotEqual(first.BlockHash, second.BlockHash);
                var key = cluster.Nodes[3].Key!.PublicKey;
                Assert.True(first.VerifySignature(key, 0x50) && second.VerifySignature(key, 0x50));
            }
        }
    }

    [Fact]
    public async Task Killed_and_restarted_validator_never_signs_two_different_votes_for_one_slot()
    {
        await using var cluster = new BftCluster();
        cluster.Network.RecordSent = true;
        cluster.StartAll();
        var victim = cluster.Nodes[0];
        for (int i = 0; i < 3; i++)
        {
            Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, victim.Height + 1, Generous));
            await Task.Delay(100 * i);
            await victim.StopAsync();
            victim.Start();
        }
        var target = cluster.Nodes.Max(n => n.Height) + 2;
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, target, Generous));
        var votes = cluster.Network.Sent.Where(m => m.Kind == MessageKind.Vote)
            .Select(m => SignedVote.TryDecode(m.Payload, out var v) ? v : throw new InvalidOperationException("undecodable vote sent"))
            .ToList();
        Assert.Contains(votes, v => v.Validator == victim.Address);
        var conflicts = votes.GroupBy(v => (v.Validator, v.Height, v.Round, v.Type)).Where(g => g.Select(v => v.BlockHash).Distinct().Count() > 1).ToList();
        Assert.Empty(conflicts);
        Assert.All(cluster.Nodes, n => Assert.Empty(n.Equivocations));
    }

    [Fact]
    public async Task Peer_sending_undecodable_or_badly_signed_messages_is_disconnected()
    {
        await using var cluster = new BftCluster();
        var node = cluster.Nodes[0];
        node.Start();
        await node.WaitStartedAsync();
        var peer = cluster.Nodes[1];
        node.Network.Inject(peer.Address, MessageKind.Vote, [1, 2, 3]);
        node.Network.Inject(peer.Address, MessageKind.Proposal, [9, 9]);
        var vote = SignedVote.Sign(peer.Key!, 0x50, VoteType.Prevote, 1, 0, Hash32.Zero);
        node.Network.Inject(peer.Address, MessageKind.Vote, (vote with { BlockHash = Keccak.Hash256("forged"u8) }).Encode());
        var outsider = DevnetKeys.FromLabel("outsider/0");
        node.Network.Inject(outsider.Address, MessageKind.Vote, SignedVote.Sign(outsider, 0x50, VoteType.Prevote, 1, 0, Hash32.Zero).Encode());
        // A later height (buffered until then) in a current validator's name with a forged signature: refused at once.
        var future = SignedVote.Sign(peer.Key!, 0x50, VoteType.Precommit, 9, 0, Hash32.Zero);
        node.Network.Inject(peer.Address, MessageKind.Vote, (future with { BlockHash = Keccak.Hash256("forged later"u8) }).Encode());
        Assert.True(await WaitUntil(() => cluster.Network.Disconnects.Count >= 5, Generous));
        var reasons = cluster.Network.Disconnects.Select(d => d.Reason).ToList();
        Assert.Contains(reasons, r => r.Contains("undecodable vote"));
        Assert.Contains(reasons, r => r.Contains("undecodable proposal"));
        Assert.Equal(2, reasons.Count(r => r.Contains("bad vote signature")));
        Assert.Contains(reasons, r => r.Contains("not a validator"));
        Assert.Equal(0UL, node.Height);
    }

    [Fact]
    public async Task Follower_applies_synced_blocks_in_order_and_raises_block_finalized()
    {
        await using var cluster = new BftCluster();
        cluster.StartAll();
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes, 3, Generous));
        var follower = cluster.AddFollower("sync");
        cluster.Network.SetOffline(follower.Address, true);
        follower.Start();
        cluster.Network.SetOffline(follower.Address, true);
        var finalized = new List<ulong>();
        follower.Engine.BlockFinalized += b => { lock (finalized) finalized.Add(b.Number); };
        var source = cluster.Nodes[0].Chain;
        follower.Engine.ApplySyncedBlock(source.GetBlock(2)!); // not the next height: ignored
        for (ulong h = 1; h <= 3; h++) follower.Engine.ApplySyncedBlock(source.GetBlock(h)!);
        Assert.True(await WaitUntil(() => follower.Height >= 3, Generous));
        Assert.Equal(source.GetBlock(3)!.Hash, follower.Chain.GetBlock(3)!.Hash);
        lock (finalized) Assert.Equal([1UL, 2UL, 3UL], finalized);
        Assert.False(follower.Engine.Status.IsValidator);
    }

    [Fact]
    public async Task Follower_on_the_network_follows_consensus_without_voting()
    {
        await using var cluster = new BftCluster();
        cluster.Network.RecordSent = true;
        var follower = cluster.AddFollower("net");
        follower.Start(); // before the validators: a follower that starts late catches up through block sync, not here
        await follower.WaitStartedAsync();
        cluster.StartAll();
        Assert.True(await BftCluster.WaitForHeightAsync(cluster.Nodes.Append(follower), 3, Generous));
        AssertIdenticalChains(cluster.Nodes.Append(follower), 3);
        var votes = cluster.Network.Sent.Where(m => m.Kind == MessageKind.Vote).Select(m => SignedVote.TryDecode(m.Payload, out var v) ? v : null).ToList();
        Assert.DoesNotContain(votes, v => v is null || v.Validator == follower.Address);
    }

    private static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(50);
        }
        return condition();
    }
}
