using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Chain;
using Pwr.Consensus.Network;
using Pwr.Consensus.Sync;
using Pwr.Core;
using Xunit.Abstractions;
using static Pwr.Consensus.Tests.Network.NetworkTestKit;

namespace Pwr.Consensus.Tests.Sync;

public class BlockSyncServiceTests(ITestOutputHelper output)
{
    private static readonly BlockSyncOptions FastOptions = new() { StatusInterval = TimeSpan.FromMilliseconds(100) };

    /// <summary>Produces <paramref name="count"/> blocks; every 100th carries a few transfers.</summary>
    private static void Build(TestChain chain, int count)
    {
        uint nonce = 0;
        for (int i = 1; i <= count; i++)
        {
            if (i % 100 == 0)
                for (int t = 0; t < 3; t++) Assert.True(chain.Chain.CheckTx(chain.Transfer(0, nonce++)).Accepted);
            chain.Produce();
        }
    }

    private static void AssertSameChain(TestChain expected, TestChain actual)
    {
        Assert.Equal(expected.Chain.LastHeader.Number, actual.Chain.LastHeader.Number);
        for (ulong h = 0; h <= expected.Chain.LastHeader.Number; h++)
            Assert.Equal(expected.Chain.GetBlock(h)!.Hash, actual.Chain.GetBlock(h)!.Hash);
    }

    private static Action<Block> NeverDeliver => b => throw new InvalidOperationException($"the source was asked to apply block {b.Number}");

    [Fact]
    public async Task Fresh_node_syncs_every_block_over_tcp_with_identical_hashes()
    {
        const int blocks = 1000;
        using var source = new TestChain();
        var built = Stopwatch.StartNew();
        Build(source, blocks);
        output.WriteLine($"built {blocks} blocks in {built.ElapsedMilliseconds} ms");

        using var fresh = new TestChain();
        await using var sourceNet = await StartAsync("sync/source");
        await using var freshNet = await StartAsync("sync/fresh", Options(peers: [HostPort(sourceNet)]));
        var serving = new BlockSyncService(source.Chain, sourceNet, NeverDeliver, FastOptions, NullLoggerFactory.Instance);
        var applying = new Stopwatch();
        var syncing = new BlockSyncService(fresh.Chain, freshNet, b => { applying.Start(); fresh.Chain.FinalizeBlock(b); fresh.Chain.Commit(); applying.Stop(); }, FastOptions, NullLoggerFactory.Instance);
        using var cts = new CancellationTokenSource();
        var tasks = new[] { serving.RunAsync(cts.Token), syncing.RunAsync(cts.Token) };

        var synced = Stopwatch.StartNew();
        Assert.True(await WaitUntilAsync(() => fresh.Chain.LastHeader.Number == blocks, TimeSpan.FromSeconds(120)));
        output.WriteLine($"synced {blocks} blocks over TCP in {synced.ElapsedMilliseconds} ms ({blocks * 1000.0 / synced.ElapsedMilliseconds:F0} blocks/s), {applying.ElapsedMilliseconds} ms of it in FinalizeBlock");
        Assert.True(await WaitUntilAsync(() => !syncing.IsCatchingUp));
        Assert.Equal((ulong)blocks, syncing.BestPeerHeight);
        Assert.Equal(blocks, syncing.DeliveredBlocks);
        Assert.False(serving.IsCatchingUp);
        AssertSameChain(source, fresh);
        Assert.Equal(source.Chain.Ledger.GetAccount(DevnetKeys.Account(9).Address).Balance, fresh.Chain.Ledger.GetAccount(DevnetKeys.Account(9).Address).Balance);

        // New blocks keep flowing: a node two behind catches up again.
        source.Produce();
        source.Produce();
        Assert.True(await WaitUntilAsync(() => fresh.Chain.LastHeader.Number == blocks + 2));
        AssertSameChain(source, fresh);

        cts.Cancel();
        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Node_one_block_behind_waits_for_consensus_before_fetching_it()
    {
        using var source = new TestChain();
        Build(source, 1);
        using var fresh = new TestChain();
        await using var sourceNet = await StartAsync("sync-one/source");
        await using var freshNet = await StartAsync("sync-one/fresh", Options(peers: [HostPort(sourceNet)]));
        var serving = new BlockSyncService(source.Chain, sourceNet, NeverDeliver, FastOptions, NullLoggerFactory.Instance);
        var syncing = new BlockSyncService(fresh.Chain, freshNet, b => { fresh.Chain.FinalizeBlock(b); fresh.Chain.Commit(); },
            new BlockSyncOptions { StatusInterval = TimeSpan.FromMilliseconds(100), OneBehindGrace = TimeSpan.FromSeconds(1) }, NullLoggerFactory.Instance);
        using var cts = new CancellationTokenSource();
        var tasks = new[] { serving.RunAsync(cts.Token), syncing.RunAsync(cts.Token) };

        Assert.True(await WaitUntilAsync(() => syncing.BestPeerHeight == 1));
        Assert.Equal(0UL, fresh.Chain.LastHeader.Number); // still within the grace period
        Assert.True(await WaitUntilAsync(() => fresh.Chain.LastHeader.Number == 1));
        AssertSameChain(source, fresh);
        cts.Cancel();
        await Task.WhenAll(tasks);
    }

    public static TheoryData<string> Tampers => ["flipped-signature", "foreign-signer", "commit-of-another-block", "no-commit"];

    [Theory]
    [MemberData(nameof(Tampers))]
    public async Task Peer_serving_a_tampered_commit_is_refused_and_disconnected(string tamper)
    {
        using var source = new TestChain();
        Build(source, 5);
        using var fresh = new TestChain();
        await using var evilNet = await StartAsync("tamper/evil-" + tamper);
        ServeTampered(evilNet, source.Chain, tamper);
        await using var freshNet = await StartAsync("tamper/fresh-" + tamper, Options(peers: [HostPort(evilNet)]));
        var delivered = 0;
        var syncing = new BlockSyncService(fresh.Chain, freshNet, b => { delivered++; fresh.Chain.FinalizeBlock(b); fresh.Chain.Commit(); }, FastOptions, NullLoggerFactory.Instance);
        using var cts = new CancellationTokenSource();
        var run = syncing.RunAsync(cts.Token);

        Assert.True(await WaitUntilAsync(() => freshNet.IsBanned(evilNet.LocalId.Address)));
        Assert.True(await WaitUntilAsync(() => evilNet.Peers.Count == 0));
        Assert.Equal(0, delivered);
        Assert.Equal(0UL, fresh.Chain.LastHeader.Number);

        // An honest peer that shows up later still gets the node synced.
        await using var honestNet = await StartAsync("tamper/honest-" + tamper, Options(peers: [HostPort(freshNet)]));
        var serving = new BlockSyncService(source.Chain, honestNet, NeverDeliver, FastOptions, NullLoggerFactory.Instance);
        var serve = serving.RunAsync(cts.Token);
        Assert.True(await WaitUntilAsync(() => fresh.Chain.LastHeader.Number == 5));
        AssertSameChain(source, fresh);
        cts.Cancel();
        await Task.WhenAll(run, serve);
    }

    [Fact]
    public async Task Peer_that_claims_a_height_it_cannot_serve_does_not_keep_the_node_catching_up()
    {
        using var source = new TestChain();
        Build(source, 5);
        using var fresh = new TestChain();
        await using var liarNet = await StartAsync("liar/liar");
        liarNet.MessageReceived += (from, kind, _) =>
        {
            if (kind == MessageKind.StatusRequest) liarNet.Send(from, MessageKind.Status, BlockSyncService.EncodeStatus(1_000_000, Hash32.Zero));
        };
        await using var honestNet = await StartAsync("liar/honest");
        await using var freshNet = await StartAsync("liar/fresh", Options(peers: [HostPort(liarNet), HostPort(honestNet)]));
        var options = new BlockSyncOptions { StatusInterval = TimeSpan.FromMilliseconds(100), StallTimeout = TimeSpan.FromMilliseconds(500), StallPenalty = TimeSpan.FromMinutes(5) };
        var serving = new BlockSyncService(source.Chain, honestNet, NeverDeliver, FastOptions, NullLoggerFactory.Instance);
        var syncing = new BlockSyncService(fresh.Chain, freshNet, b => { fresh.Chain.FinalizeBlock(b); fresh.Chain.Commit(); }, options, NullLoggerFactory.Instance);
        using var cts = new CancellationTokenSource();
        var tasks = new[] { serving.RunAsync(cts.Token), syncing.RunAsync(cts.Token) };

        Assert.True(await WaitUntilAsync(() => syncing.IsCatchingUp));
        Assert.True(await WaitUntilAsync(() => fresh.Chain.LastHeader.Number == 5 && !syncing.IsCatchingUp));
        Assert.Equal(5UL, syncing.BestPeerHeight);
        AssertSameChain(source, fresh);
        cts.Cancel();
        await Task.WhenAll(tasks);
    }

    /// <summary>Answers status and block requests like a server would, with every commit tampered.</summary>
    private static void ServeTampered(TcpPeerNetwork network, ChainApplication chain, string tamper)
    {
        var forger = DevnetKeys.FromLabel("p2p-tests/forger");
        network.MessageReceived += (from, kind, payload) =>
        {
            if (kind == MessageKind.StatusRequest)
                network.Send(from, MessageKind.Status, BlockSyncService.EncodeStatus(chain.LastHeader.Number, chain.LastHeader.Hash));
            if (kind != MessageKind.BlockRequest) return;
            var r = new BigEndianReader(payload.Span);
            if (!r.TryReadU64(out var start) || !r.TryReadU16(out var count)) return;
            for (ulong h = start; h < start + count && chain.GetBlock(h) is { } block; h++)
            {
                var c = block.Commit!;
                Commit? commit = tamper switch
                {
                    "flipped-signature" => c with { Signatures = [.. c.Signatures.Select(s => new CommitSignature(s.Validator, Flip(s.Signature)))] },
                    "foreign-signer" => new Commit(c.Height, c.Round, c.BlockHash, [Commit.SignPrecommit(forger, chain.ChainId, c.Height, c.Round, c.BlockHash)]),
                    "commit-of-another-block" => chain.GetBlock(h + 1)?.Commit ?? chain.GetBlock(h - 1)!.Commit,
                    _ => null,
                };
                var tampered = new Block { Header = block.Header, Transactions = block.Transactions, Results = block.Results, Commit = commit };
                network.Send(from, MessageKind.BlockResponse, BlockCodec.Encode(tampered));
            }
        };
    }

    private static byte[] Flip(byte[] signature)
    {
        var copy = (byte[])signature.Clone();
        copy[^1] ^= 0x01;
        return copy;
    }

    [Fact]
    public void Status_and_request_encodings_have_fixed_sizes()
    {
        var status = BlockSyncService.EncodeStatus(7, Keccak.Hash256("x"u8));
        Assert.Equal(40, status.Length);
        var r = new BigEndianReader(status);
        Assert.True(r.TryReadU64(out var height));
        Assert.Equal(7UL, height);
        Assert.Equal(10, BlockSyncService.EncodeBlockRequest(1, 64).Length);
    }
}
