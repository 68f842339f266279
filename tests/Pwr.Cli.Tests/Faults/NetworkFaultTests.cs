using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Pwr.Chain;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Consensus.Network;
using Pwr.Core;
using Pwr.Node;

namespace Pwr.Cli.Tests.Faults;

/// <summary>The network fault tests' collection: each starts its own processes, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class NetworkFaultCollection
{
    public const string Name = "network-faults";
}

/// <summary>
/// Network faults against real `pwr node` processes on loopback: a 2|2 partition through a proxy, a full node that
/// joins late and block-syncs from genesis, and hostile peers speaking raw TCP to a validator.
/// </summary>
[Collection(NetworkFaultCollection.Name)]
public sealed class NetworkFaultTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan DisconnectWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Partition_2_2_finalizes_nothing_on_either_side_and_after_healing_all_resume_on_one_chain()
    {
        using var dir = new TempDir("net-partition");
        await using var proxy = new PartitionProxy();
        await using var net = await LocalnetProcesses.InitAsync(dir.Path, 4, (i, c) =>
        {
            // Every persistent peer becomes the proxy's listener for the link i → j; nodes dial only these.
            var others = Enumerable.Range(0, 4).Where(j => j != i).ToList();
            var peers = c.PersistentPeers.Select((p, k) => proxy.AddLink(i, others[k], PortOf(p))).ToList();
            return c with { PersistentPeers = peers };
        });
        net.StartAll();
        await net.WaitForHeightOnAllAsync(3, Wait);

        var acknowledged = new Dictionary<Hash32, ulong>();
        var before = await NetInvariants.SubmitTransfersAsync(net.Apis[0], Keys.Dev(1), Keys.Receiver("net-partition/a"), 3);
        before.AddRange(await NetInvariants.SubmitTransfersAsync(net.Apis[3], Keys.Dev(2), Keys.Receiver("net-partition/b"), 3));
        await NetInvariants.AcknowledgeAsync(net.Apis[1], before, acknowledged, Wait);

        // All validator traffic crosses the proxy: every pair exchanged bytes through it, and each node has its 3 peers.
        await WaitForPeersAsync(net, 3);
        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++)
                Assert.True(proxy.BytesBetween(a, b) > 0, $"no traffic between nodes {a} and {b} went through the proxy");

        proxy.Partition([0, 1]);
        var cutHeights = await Task.WhenAll(net.Apis.Select(a => a.BlocksCountAsync()));
        ulong bound = cutHeights.Max() + 1; // at most the one height whose votes were already in flight

        // Each side keeps only its partner: no connection bypasses the proxy.
        await WaitForPeersAsync(net, 1);
        var during = new List<Hash32>();
        during.AddRange(await NetInvariants.SubmitTransfersAsync(net.Apis[0], Keys.Dev(3), Keys.Receiver("net-partition/c"), 2));
        during.AddRange(await NetInvariants.SubmitTransfersAsync(net.Apis[2], Keys.Dev(4), Keys.Receiver("net-partition/d"), 2));

        var observeUntil = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var highest = new ulong[4];
        while (DateTime.UtcNow < observeUntil)
        {
            for (int i = 0; i < 4; i++)
            {
                highest[i] = Math.Max(highest[i], await net.Apis[i].BlocksCountAsync());
                Assert.True(highest[i] <= bound, $"node {i} reached height {highest[i]} while partitioned (heights at the cut: {string.Join(", ", cutHeights)})");
            }
            await Task.Delay(250);
        }
        foreach (var api in net.Apis)
            foreach (var h in during)
                Assert.Equal(404, (await api.GetRawAsync($"/transactionByHash?hash={h}")).Status);
        Assert.True(proxy.RefusedTotal > 0, "no node tried to reconnect across the partition");
        await FaultInvariants.AssertNoForkAsync(net.Apis);

        proxy.Heal();
        await net.WaitForHeightOnAllAsync(highest.Max() + 5, Wait);
        await WaitForPeersAsync(net, 3);
        await NetInvariants.AcknowledgeAsync(net.Apis[3], during, acknowledged, Wait);
        await FaultInvariants.AssertAllAsync(net.Apis, acknowledged);
    }

    [Fact]
    public async Task Full_node_started_late_block_syncs_from_genesis_matches_every_hash_and_keeps_following()
    {
        using var dir = new TempDir("net-fullnode");
        await using var net = await LocalnetProcesses.InitAsync(dir.Path, 4);
        net.StartAll();
        await net.WaitForHeightOnAllAsync(3, Wait);

        var acknowledged = new Dictionary<Hash32, ulong>();
        var early = await NetInvariants.SubmitTransfersAsync(net.Apis[0], Keys.Dev(1), Keys.Receiver("net-fullnode/a"), 3);
        early.AddRange(await NetInvariants.SubmitTransfersAsync(net.Apis[2], Keys.Dev(2), Keys.Receiver("net-fullnode/b"), 3));
        await NetInvariants.AcknowledgeAsync(net.Apis[0], early, acknowledged, Wait);
        // More heights than consensus catch-up reaches back (32), so only block sync can bring the new node up.
        await net.WaitForHeightAsync(0, 45, Wait);

        var fullDir = Path.Combine(dir.Path, "full");
        var nodeKeyFile = Path.Combine(fullDir, "node-key.json");
        KeyFile.Save(nodeKeyFile, Falcon512.Generate());
        var fullConfig = net.Configs[0] with
        {
            DataDir = Path.Combine(fullDir, "data"),
            ValidatorKeyFile = null,
            NodeKeyFile = nodeKeyFile,
            ApiPort = FreePort.Next(),
            P2PPort = FreePort.Next(),
            PersistentPeers = net.Configs.Select(c => $"127.0.0.1:{c.P2PPort}").ToList(),
            Vms = [],
            VmAgreementPeers = [],
            Equivocate = false,
        };
        var configPath = Path.Combine(fullDir, "config.json");
        fullConfig.Save(configPath);
        Assert.False(Directory.Exists(fullConfig.DataDir));

        ulong headAtStart = await net.Apis[0].BlocksCountAsync();
        using var full = PwrProcess.Start(Path.GetTempPath(), "node", "--config", configPath);
        using var fullApi = new NodeApi($"http://127.0.0.1:{fullConfig.ApiPort}");
        await Eventually.UntilAsync(async () =>
        {
            if (full.HasExited) throw new InvalidOperationException($"the full node exited\n{full.StdOut}\n{full.StdErr}");
            return await fullApi.BlocksCountAsync() >= headAtStart;
        }, Wait, $"the full node to sync to height {headAtStart}", TimeSpan.FromMilliseconds(250));

        var consensus = await fullApi.GetAsync("/consensus");
        Assert.False(consensus.GetProperty("isValidator").GetBoolean());
        Assert.Equal(JsonValueKind.Null, consensus.GetProperty("validatorAddress").ValueKind);
        // It got the early heights from block sync (not from consensus catch-up, which reaches back only 32 heights).
        await Eventually.UntilAsync(() => Task.FromResult(full.StdOut.Contains("Applied synced block 1 ", StringComparison.Ordinal)),
            Short, "the full node's log to show block 1 applied by block sync");

        // Every block it holds carries a commit of more than 2/3 of the genesis validators, each signature a valid precommit.
        var validators = Enumerable.Range(0, 4).Select(i => DevnetKeys.Validator(i)).ToDictionary(k => k.Address, k => k.PublicKey);
        for (ulong n = 1; n <= headAtStart; n++)
        {
            var block = (await fullApi.GetAsync($"/block?blockNumber={n}")).GetProperty("block");
            var hash = Hash32.Parse(block.GetProperty("blockHash").GetString()!);
            var commit = block.GetProperty("commit");
            Assert.Equal(n, commit.GetProperty("height").GetUInt64());
            Assert.Equal(hash, Hash32.Parse(commit.GetProperty("blockHash").GetString()!));
            uint round = commit.GetProperty("round").GetUInt32();
            var signers = new HashSet<Address>();
            foreach (var s in commit.GetProperty("signatures").EnumerateArray())
            {
                var validator = Address.Parse(s.GetProperty("validator").GetString()!);
                Assert.True(validators.TryGetValue(validator, out var publicKey), $"block {n}: commit signed by {validator}, not a validator");
                var vote = new SignedVote(VoteType.Precommit, n, round, hash, validator, Hex.Decode(s.GetProperty("signature").GetString()!));
                Assert.True(vote.VerifySignature(publicKey!, fullConfig.ChainId), $"block {n}: bad precommit signature of {validator}");
                signers.Add(validator);
            }
            Assert.True(signers.Count * 3 > validators.Count * 2, $"block {n}: commit has only {signers.Count} of {validators.Count} validators");
        }

        // It keeps following: a transfer sent through it (gossiped to the validators) lands, and it tracks the head.
        var late = await NetInvariants.SubmitTransfersAsync(fullApi, Keys.Dev(3), Keys.Receiver("net-fullnode/c"), 2);
        await NetInvariants.AcknowledgeAsync(fullApi, late, acknowledged, Wait);
        ulong head = await net.Apis[1].BlocksCountAsync();
        await Eventually.UntilAsync(async () => await fullApi.BlocksCountAsync() >= head + 5, Wait, $"the full node to follow past height {head + 5}");
        Assert.False(full.HasExited);

        var all = net.Apis.Append(fullApi).ToList();
        await FaultInvariants.AssertAllAsync(all, acknowledged);
    }

    [Fact]
    public async Task Hostile_peers_sending_garbage_oversized_unknown_forged_or_flooding_frames_are_disconnected_while_the_net_keeps_finalizing()
    {
        using var dir = new TempDir("net-hostile");
        await using var net = await LocalnetProcesses.InitAsync(dir.Path, 4);
        net.StartAll();
        await net.WaitForHeightOnAllAsync(3, Wait);
        int port = net.Configs[0].P2PPort;
        byte chainId = net.Configs[0].ChainId;
        var nodeAddress = KeyFile.Load(net.Configs[0].NodeKeyFile).Address;
        var acknowledged = new Dictionary<Hash32, ulong>();
        ulong startHeight = await net.Apis[0].BlocksCountAsync();

        // Control: a well-behaved peer is answered and stays connected, so what follows is rejected for its content.
        using (var honest = await HostilePeer.ConnectAsync(port))
        {
            Assert.Equal(nodeAddress, await honest.HandshakeAsync(Falcon512.Generate(), chainId, Short));
            Assert.True(await honest.SendFrameAsync(MessageKind.StatusRequest, []));
            var status = await honest.ReadFrameOfKindAsync(MessageKind.Status, Short);
            Assert.NotNull(status);
            Assert.True(new BigEndianReader(status).TryReadU64(out var reported) && reported >= startHeight, "the status names no finalized height");
            Assert.False(await honest.ClosedByNodeWithinAsync(TimeSpan.FromSeconds(3)), "the node closed a well-behaved peer's connection");
        }

        // Garbage instead of a handshake.
        using (var garbage = await HostilePeer.ConnectAsync(port))
        {
            var junk = RandomNumberGenerator.GetBytes(PeerHandshake.HelloSize + 100);
            junk[0] = (byte)'X';
            await garbage.SendRawAsync(junk);
            Assert.True(await garbage.ClosedByNodeWithinAsync(Short), "garbage before the handshake: the node kept the connection");
        }
        await AssertLoggedAsync(net, "not a PWR peer hello");

        // After a valid handshake: an oversized vote frame (the limit is 1 KiB), then an unknown kind.
        await AssertDisconnectedAsync(net, port, chainId, HostilePeer.Frame((byte)MessageKind.Vote, new byte[4096]), "Vote frame of 4096 bytes exceeds the limit");
        await AssertDisconnectedAsync(net, port, chainId, HostilePeer.Frame(200, new byte[8]), "unknown message kind 200");

        // Votes for a height the node is about to decide (read after the handshake: a vote for a decided height is only
        // ignored): one claiming validator 1 with someone else's signature, one properly signed by a key that is no validator.
        var blockHash = Keccak.Hash256(RandomNumberGenerator.GetBytes(32));
        var impostor = Falcon512.Generate();
        var validator1 = DevnetKeys.Validator(1).Address;
        await AssertDisconnectedAsync(net, port, chainId, async () =>
        {
            var vote = SignedVote.Sign(impostor, chainId, VoteType.Prevote, await UpcomingHeightAsync(net), 0, blockHash) with { Validator = validator1 };
            return HostilePeer.Frame((byte)MessageKind.Vote, vote.Encode());
        }, "bad vote signature from " + validator1);
        var outsider = Falcon512.Generate();
        await AssertDisconnectedAsync(net, port, chainId, async () =>
        {
            var vote = SignedVote.Sign(outsider, chainId, VoteType.Prevote, await UpcomingHeightAsync(net), 0, blockHash);
            return HostilePeer.Frame((byte)MessageKind.Vote, vote.Encode());
        }, $"vote from {outsider.Address}, not a validator");

        // A flood: far more frames in one burst than the 5,000 per second a peer may send.
        var flood = new byte[20_000 * 5];
        for (int k = 0; k < 20_000; k++) flood[k * 5] = (byte)MessageKind.StatusRequest;
        var flooder = Falcon512.Generate();
        await AssertDisconnectedAsync(net, port, chainId, flood, "flood: more than", flooder);

        // The flooder is refused when it comes back: the handshake completes, then the node hangs up.
        using (var again = await HostilePeer.ConnectAsync(port))
        {
            await again.HandshakeAsync(flooder, chainId, Short);
            await again.SendFrameAsync(MessageKind.StatusRequest, []);
            Assert.Null(await again.ReadFrameOfKindAsync(MessageKind.Status, Short));
        }

        // Meanwhile the validators kept their connections and kept finalizing, on one chain.
        var hashes = await NetInvariants.SubmitTransfersAsync(net.Apis[0], Keys.Dev(1), Keys.Receiver("net-hostile/a"), 3);
        await NetInvariants.AcknowledgeAsync(net.Apis[0], hashes, acknowledged, Wait);
        ulong now = await net.Apis[0].BlocksCountAsync();
        await net.WaitForHeightOnAllAsync(now + 5, Wait);
        await WaitForPeersAsync(net, 3);
        for (int i = 0; i < 4; i++) Assert.False(net.Process(i)!.HasExited, $"node {i} exited");
        await FaultInvariants.AssertAllAsync(net.Apis, acknowledged);
    }

    /// <summary>A fresh peer (or <paramref name="key"/>) handshakes, sends <paramref name="bytes"/> and must be disconnected, with <paramref name="logged"/> in node 0's log.</summary>
    private static Task AssertDisconnectedAsync(LocalnetProcesses net, int port, byte chainId, byte[] bytes, string logged, FalconKeyPair? key = null)
        => AssertDisconnectedAsync(net, port, chainId, () => Task.FromResult(bytes), logged, key);

    private static async Task AssertDisconnectedAsync(LocalnetProcesses net, int port, byte chainId, Func<Task<byte[]>> bytes, string logged, FalconKeyPair? key = null)
    {
        key ??= Falcon512.Generate();
        using var peer = await HostilePeer.ConnectAsync(port);
        await peer.HandshakeAsync(key, chainId, Short);
        await peer.SendRawAsync(await bytes());
        Assert.True(await peer.ClosedByNodeWithinAsync(DisconnectWait), $"the node kept the connection after: {logged}\n{Tail(net.Process(0)!.StdOut, 80)}");
        await AssertLoggedAsync(net, logged);
    }

    private static async Task AssertLoggedAsync(LocalnetProcesses net, string text)
        => await Eventually.UntilAsync(() => Task.FromResult(net.Process(0)!.StdOut.Contains(text, StringComparison.Ordinal)),
            Short, $"node 0's log to say '{text}'");

    /// <summary>A height node 0 has not started yet but will soon (its engine buffers such votes and checks them when it gets there).</summary>
    private static async Task<ulong> UpcomingHeightAsync(LocalnetProcesses net)
        => (await net.Apis[0].GetAsync("/consensus")).GetProperty("height").GetUInt64() + 6;

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    private static async Task WaitForPeersAsync(LocalnetProcesses net, int peers)
    {
        for (int i = 0; i < net.Count; i++)
        {
            var api = net.Apis[i];
            await Eventually.UntilAsync(async () => (await api.GetAsync("/consensus")).GetProperty("peers").GetInt32() == peers,
                Wait, $"node {i} to have {peers} peers", TimeSpan.FromMilliseconds(250));
        }
    }

    private static int PortOf(string hostPort) => int.Parse(hostPort[(hostPort.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
}
