using System.Net.Http;
using Pwr.Core;

namespace Pwr.Vm.Tests;

public sealed class VmRootAgreementTests
{
    private static readonly Hash32 WrongRoot = Keccak.Hash256("a root nobody honest has"u8);

    private static IReadOnlyList<IVmPeerRootSource> HonestPeers(AgreementHarness h, int count)
        => [.. Enumerable.Range(0, count).Select(i => new FakePeer($"honest-{i}", n => h.Honest(n)))];

    [Fact]
    public async Task Heights_all_peers_confirm_become_the_last_agreed_height()
    {
        await using var h = new AgreementHarness(h => HonestPeers(h, 3));
        h.Host.Start();
        await h.AdvanceToAsync(10);
        Assert.Equal(VmAgreementOutcome.Skipped, (await h.Agreement.CheckOnceAsync()).Outcome);

        await h.AdvanceToAsync(20);
        var first = await h.Agreement.CheckOnceAsync();
        Assert.Equal(new VmAgreementCheck(VmAgreementOutcome.Agreed, 10, 3, 3), first);
        Assert.Equal(10UL, h.Agreement.LastAgreedHeight);

        var second = await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Agreed, second.Outcome);
        Assert.Equal(20UL, second.Height);
        var status = h.Host.GetStatus();
        Assert.Equal(VmHostState.Running, status.State);
        Assert.NotNull(status.Agreement);
        Assert.Equal(VmAgreementState.InAgreement, status.Agreement.State);
        Assert.Equal(20UL, status.Agreement.LastAgreedHeight);
        Assert.Null(status.Agreement.Divergence);
        Assert.Equal(0, status.Agreement.DivergencesTotal);
        Assert.Equal(new ulong[] { 10, 20 }, h.Agreement.AgreedCheckpoints);
        Assert.True(Directory.Exists(Path.Combine(h.Agreement.CheckpointDirectory, "agreed-00000000000000000020")));
    }

    [Fact]
    public async Task Each_check_sends_one_request_per_peer()
    {
        FakePeer[] peers = [];
        await using var h = new AgreementHarness(h => peers = [.. HonestPeers(h, 2).Cast<FakePeer>()]);
        h.Host.Start();
        await h.AdvanceToAsync(5);
        await h.Agreement.CheckOnceAsync();
        await h.AdvanceToAsync(8);
        await h.Agreement.CheckOnceAsync();
        await h.Agreement.CheckOnceAsync();
        Assert.All(peers, p => Assert.Equal(2, p.Requests));
    }

    [Fact]
    public async Task Agreed_checkpoints_beyond_the_configured_count_are_pruned()
    {
        await using var h = new AgreementHarness(h => HonestPeers(h, 1), options: new VmHostOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            SyncWrites = false,
            AgreementInterval = TimeSpan.FromHours(1),
            AgreementCheckpointsKept = 2,
        });
        h.Host.Start();
        for (ulong height = 5; height <= 25; height += 5)
        {
            await h.AdvanceToAsync(height);
            await h.Agreement.CheckOnceAsync();
        }
        Assert.Equal(new ulong[] { 15, 20 }, h.Agreement.AgreedCheckpoints);
        Assert.Equal(2, Directory.GetDirectories(h.Agreement.CheckpointDirectory, "agreed-*").Length);
    }

    [Theory]
    [InlineData(1, 0, VmAgreementOutcome.Agreed)]
    [InlineData(2, 1, VmAgreementOutcome.Agreed)]     // 2 of 3: exactly 2/3 agrees
    [InlineData(4, 2, VmAgreementOutcome.Agreed)]     // 4 of 6
    [InlineData(1, 1, VmAgreementOutcome.Diverged)]   // 1 of 2
    [InlineData(3, 2, VmAgreementOutcome.Diverged)]   // 3 of 5 < 2/3
    [InlineData(0, 1, VmAgreementOutcome.Diverged)]
    public async Task A_height_is_agreed_when_at_least_two_thirds_of_the_answers_match(int honest, int lying, VmAgreementOutcome expected)
    {
        await using var h = new AgreementHarness(h =>
            [.. HonestPeers(h, honest), .. Enumerable.Range(0, lying).Select(i => new FakePeer($"liar-{i}", _ => WrongRoot))]);
        h.Host.Start();
        await h.AdvanceToAsync(4);
        await h.Agreement.CheckOnceAsync();
        var check = await h.Agreement.CheckOnceAsync();
        Assert.Equal(new VmAgreementCheck(expected, 4, honest + lying, honest), check);
    }

    [Fact]
    public async Task A_disagreeing_minority_leaves_the_host_running()
    {
        await using var h = new AgreementHarness(h => [.. HonestPeers(h, 3), new FakePeer("liar", _ => WrongRoot)]);
        h.Host.Start();
        await h.AdvanceToAsync(10);
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Agreed, (await h.Agreement.CheckOnceAsync()).Outcome);
        await h.AdvanceToAsync(20);

        Assert.Equal(VmHostState.Running, h.Host.State);
        Assert.Equal(VmAgreementState.InAgreement, h.Agreement.State);
        Assert.Equal(10UL, h.Agreement.LastAgreedHeight);
        Assert.Equal(0, h.Agreement.GetStatus().Rollbacks);
        Assert.True(h.Host.TryGetRoot(20, out var root));
        Assert.Equal(h.Honest(20), root);
    }

    [Fact]
    public async Task Unreachable_and_lagging_peers_change_nothing()
    {
        await using var h = new AgreementHarness(h =>
        [
            new FakePeer("down", _ => throw new HttpRequestException("connection refused")),
            new FakePeer("behind", _ => null),
        ]);
        h.Host.Start();
        await h.AdvanceToAsync(10);
        await h.Agreement.CheckOnceAsync();
        var check = await h.Agreement.CheckOnceAsync();

        Assert.Equal(VmAgreementOutcome.NoAnswers, check.Outcome);
        Assert.Equal(0, check.Answers);
        await h.AdvanceToAsync(15);
        var status = h.Host.GetStatus();
        Assert.Equal(VmHostState.Running, status.State);
        Assert.Equal(VmAgreementState.InAgreement, status.Agreement!.State);
        Assert.Equal(0UL, status.Agreement.LastAgreedHeight);
        Assert.Equal(0, status.Agreement.Rollbacks);
        Assert.Equal(15UL, status.Height);
    }

    [Fact]
    public async Task Corrupted_store_is_detected_rolled_back_to_the_agreed_checkpoint_and_re_executes_to_the_honest_roots()
    {
        await using var h = new AgreementHarness(h => HonestPeers(h, 3));
        h.Host.Start();
        await h.AdvanceToAsync(20);
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Agreed, (await h.Agreement.CheckOnceAsync()).Outcome);
        Assert.Equal(20UL, h.Agreement.LastAgreedHeight);

        h.CorruptStore();
        await h.AdvanceToAsync(30);
        Assert.True(h.Store.TryGetRoot(30, out var corruptRoot));
        Assert.NotEqual(h.Honest(30), corruptRoot);
        await h.Agreement.CheckOnceAsync();

        var check = await h.Agreement.CheckOnceAsync();
        Assert.Equal(new VmAgreementCheck(VmAgreementOutcome.Diverged, 30, 3, 0), check);
        var status = h.Agreement.GetStatus();
        Assert.Equal(VmAgreementState.Diverged, status.State);
        Assert.Equal(new VmDivergence(30, corruptRoot, h.Honest(30), 0, 3, 20), status.Divergence);
        Assert.Equal(1, status.DivergencesTotal);
        Assert.Equal(1, status.Rollbacks);
        Assert.False(h.StoreHas("state", "junk-key"u8), "the rollback left garbage in the state");
        Assert.False(h.StoreHas("tree", "junk-tree"u8), "the rollback left garbage in the tree");

        // The host resumes from block 20 and re-executes the finalized blocks to the roots every peer has.
        await h.Host.WaitForHeightAsync(30).WaitAsync(AgreementHarness.Timeout);
        for (ulong n = 1; n <= 30; n++)
        {
            Assert.True(h.Store.TryGetRoot(n, out var root), $"no root for block {n}");
            Assert.Equal(h.Honest(n), root);
        }
        // Until the peers confirm a height at or past the divergence, roots above the agreed height are withheld.
        Assert.False(h.Host.TryGetRoot(25, out _));
        Assert.Contains("disagreed with its peers at block 30", h.Host.RootWithheldReason(25));
        Assert.True(h.Host.TryGetRoot(20, out _));

        Assert.Equal(VmAgreementOutcome.Skipped, (await h.Agreement.CheckOnceAsync()).Outcome);
        Assert.Equal(VmAgreementOutcome.Agreed, (await h.Agreement.CheckOnceAsync()).Outcome);
        Assert.Equal(VmAgreementState.InAgreement, h.Agreement.State);
        Assert.Null(h.Agreement.GetStatus().Divergence);
        Assert.Equal(30UL, h.Agreement.LastAgreedHeight);
        Assert.True(h.Host.TryGetRoot(25, out var served));
        Assert.Equal(h.Honest(25), served);
        Assert.Equal(VmHostState.Running, h.Host.State);
    }

    [Fact]
    public async Task Divergence_without_any_agreed_checkpoint_rolls_back_to_the_empty_state()
    {
        await using var h = new AgreementHarness(h => HonestPeers(h, 1));
        h.Host.Start();
        await h.AdvanceToAsync(5);
        h.CorruptStore();
        await h.AdvanceToAsync(10);
        await h.Agreement.CheckOnceAsync();
        var check = await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Diverged, check.Outcome);
        Assert.Equal(0UL, h.Agreement.GetStatus().Divergence!.RolledBackTo);

        await h.Host.WaitForHeightAsync(10).WaitAsync(AgreementHarness.Timeout);
        Assert.True(h.Store.TryGetRoot(10, out var root));
        Assert.Equal(h.Honest(10), root);
    }

    [Fact]
    public async Task Persistent_divergence_replays_from_genesis_once_then_halts_at_the_agreed_checkpoint_instead_of_looping()
    {
        // Peers agree up to block 10 and then report roots this host can never reproduce (a VM version mismatch, say).
        await using var h = new AgreementHarness(h => [.. Enumerable.Range(0, 3).Select(i => new FakePeer($"peer-{i}", n => n <= 10 ? h.Honest(n) : WrongRoot))]);
        h.Host.Start();
        await h.AdvanceToAsync(10);
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Agreed, (await h.Agreement.CheckOnceAsync()).Outcome);

        await h.AdvanceToAsync(20);
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Diverged, (await h.Agreement.CheckOnceAsync()).Outcome);
        Assert.Equal(10UL, h.Agreement.GetStatus().Divergence!.RolledBackTo);
        await h.Host.WaitForHeightAsync(20).WaitAsync(AgreementHarness.Timeout);
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Diverged, (await h.Agreement.CheckOnceAsync()).Outcome);
        Assert.Equal(0UL, h.Agreement.GetStatus().Divergence!.RolledBackTo); // the checkpoint reproduced it: replay from genesis
        await h.Host.WaitForHeightAsync(20).WaitAsync(AgreementHarness.Timeout);
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Halted, (await h.Agreement.CheckOnceAsync()).Outcome);

        Assert.Equal(VmHostState.Halted, h.Host.State);
        Assert.Equal(10UL, h.Store.Height);
        for (int i = 0; i < 3; i++) Assert.Equal(VmAgreementOutcome.Skipped, (await h.Agreement.CheckOnceAsync()).Outcome);
        h.Source.Add(TestData.TransferBlocks(1, 1).First());
        var status = h.Host.GetStatus();
        Assert.Equal(10UL, status.Height);
        Assert.Contains("again after a rollback", status.LastError);
        Assert.Equal(VmAgreementState.Halted, status.Agreement!.State);
        Assert.Equal(3, status.Agreement.DivergencesTotal);
        Assert.Equal(3, status.Agreement.Rollbacks);
        Assert.False(h.Host.TryGetRoot(11, out _));
        Assert.Contains("halted", h.Host.RootWithheldReason(11));
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Host.WaitForHeightAsync(11));
    }

    [Fact]
    public async Task Agreed_checkpoints_survive_a_restart_and_candidates_do_not()
    {
        using var dir = new TempDirectory();
        var source = new MemoryBlockSource();
        source.AddMany(TestData.TransferBlocks(blocks: 12, txPerBlock: 5));
        var options = new VmHostOptions { PollInterval = TimeSpan.FromMilliseconds(20), SyncWrites = false, AgreementInterval = TimeSpan.FromHours(1) };
        Hash32? Any(ulong n) => null;
        string checkpoints;
        using (var store = VmStore.Open(dir.Sub("vm")))
        {
            await using var host = new VmHost(new Pwr.Vm.Token.TokenVm(TestData.TokenVmId), store, source, options);
            var agreement = new VmRootAgreement(host, [new FakePeer("self", n => store.TryGetRoot(n, out var r) ? r : null)]);
            host.Start();
            await host.WaitForHeightAsync(12).WaitAsync(AgreementHarness.Timeout);
            await agreement.CheckOnceAsync();
            Assert.Equal(VmAgreementOutcome.Agreed, (await agreement.CheckOnceAsync()).Outcome);
            source.Add();
            await host.WaitForHeightAsync(13).WaitAsync(AgreementHarness.Timeout);
            await agreement.CheckOnceAsync();
            checkpoints = agreement.CheckpointDirectory;
            Assert.Single(Directory.GetDirectories(checkpoints, "candidate-*"));
        }
        using (var store = VmStore.Open(dir.Sub("vm")))
        {
            await using var host = new VmHost(new Pwr.Vm.Token.TokenVm(TestData.TokenVmId), store, source, options);
            var agreement = new VmRootAgreement(host, [new FakePeer("none", Any)]);
            Assert.Equal(12UL, agreement.LastAgreedHeight);
            Assert.Equal(new ulong[] { 12 }, agreement.AgreedCheckpoints);
            Assert.Empty(Directory.GetDirectories(checkpoints, "candidate-*"));
        }
    }

    [Fact]
    public async Task A_halted_vm_stays_halted_after_a_restart_until_its_agreement_directory_is_deleted()
    {
        using var dir = new TempDirectory();
        var source = new MemoryBlockSource();
        source.AddMany(TestData.TransferBlocks(blocks: 10, txPerBlock: 3));
        var options = new VmHostOptions { PollInterval = TimeSpan.FromMilliseconds(20), SyncWrites = false, AgreementInterval = TimeSpan.FromHours(1) };
        // Peers confirm up to block 5 and then report roots this host never reproduces: diverge, roll back, diverge again, halt.
        Hash32? Peer(VmStore store, ulong n) => n <= 5 && store.TryGetRoot(n, out var r) ? r : WrongRoot;
        string checkpoints;
        using (var store = VmStore.Open(dir.Sub("vm")))
        {
            await using var host = new VmHost(new Pwr.Vm.Token.TokenVm(TestData.TokenVmId), store, source, options);
            var agreement = new VmRootAgreement(host, [new FakePeer("peer", n => Peer(store, n))]);
            host.Start();
            await host.WaitForHeightAsync(5).WaitAsync(AgreementHarness.Timeout);
            await agreement.CheckOnceAsync();
            await host.WaitForHeightAsync(10).WaitAsync(AgreementHarness.Timeout);
            var outcomes = new List<VmAgreementOutcome>();
            for (int i = 0; i < 8 && host.State != VmHostState.Halted; i++)
            {
                outcomes.Add((await agreement.CheckOnceAsync()).Outcome);
                if (host.State == VmHostState.Running) await host.WaitForHeightAsync(10).WaitAsync(AgreementHarness.Timeout);
            }
            Assert.Equal(VmHostState.Halted, host.State);
            Assert.Contains(VmAgreementOutcome.Halted, outcomes);
            checkpoints = agreement.CheckpointDirectory;
            Assert.True(File.Exists(Path.Combine(checkpoints, VmRootAgreement.HaltMarkerName)));
        }

        // Restarted: the host comes up halted at the rolled-back height, withholds the disputed roots and applies nothing.
        using (var store = VmStore.Open(dir.Sub("vm")))
        {
            ulong heightAtRestart = store.Height;
            await using var host = new VmHost(new Pwr.Vm.Token.TokenVm(TestData.TokenVmId), store, source, options);
            var agreement = new VmRootAgreement(host, [new FakePeer("peer", n => Peer(store, n))]);
            host.Start();
            Assert.Equal(VmHostState.Halted, host.State);
            Assert.Equal(VmAgreementState.Halted, agreement.State);
            var status = host.GetStatus();
            Assert.Contains("before this start", status.LastError);
            Assert.Equal(VmAgreementOutcome.Skipped, (await agreement.CheckOnceAsync()).Outcome);
            await Task.Delay(200);
            Assert.Equal(heightAtRestart, store.Height);
            Assert.NotNull(host.RootWithheldReason(heightAtRestart + 1));
        }

        // The operator's remedy: delete the agreement directory and the store; the VM resyncs and runs.
        Directory.Delete(checkpoints, recursive: true);
        Directory.Delete(dir.Sub("vm"), recursive: true);
        using (var store = VmStore.Open(dir.Sub("vm")))
        {
            await using var host = new VmHost(new Pwr.Vm.Token.TokenVm(TestData.TokenVmId), store, source, options);
            var agreement = new VmRootAgreement(host, [new FakePeer("none", _ => null)]);
            host.Start();
            await host.WaitForHeightAsync(10).WaitAsync(AgreementHarness.Timeout);
            Assert.Equal(VmHostState.Running, host.State);
        }
    }

    [Fact]
    public async Task Corruption_the_root_did_not_cover_when_agreed_heals_by_a_replay_from_genesis()
    {
        await using var h = new AgreementHarness(h => HonestPeers(h, 3));
        h.Host.Start();
        await h.AdvanceToAsync(10);
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Agreed, (await h.Agreement.CheckOnceAsync()).Outcome);

        // Values go bad at block 20 but the Merkle tree is untouched: the root still matches, so block 20 is agreed, corruption included.
        await h.AdvanceToAsync(20);
        h.CorruptStore();
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Agreed, (await h.Agreement.CheckOnceAsync()).Outcome);
        Assert.Equal(20UL, h.Agreement.LastAgreedHeight);

        // The next blocks read the bad values: divergence, rollback to 20, which reproduces it.
        await h.AdvanceToAsync(30);
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Diverged, (await h.Agreement.CheckOnceAsync()).Outcome);
        Assert.Equal(20UL, h.Agreement.GetStatus().Divergence!.RolledBackTo);
        await h.Host.WaitForHeightAsync(30).WaitAsync(AgreementHarness.Timeout);
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Diverged, (await h.Agreement.CheckOnceAsync()).Outcome);
        Assert.Equal(0UL, h.Agreement.GetStatus().Divergence!.RolledBackTo);

        // The replay from genesis needs only the blocks: honest roots everywhere, agreement again, still running.
        await h.Host.WaitForHeightAsync(30).WaitAsync(AgreementHarness.Timeout);
        for (ulong n = 1; n <= 30; n++)
        {
            Assert.True(h.Store.TryGetRoot(n, out var root), $"no root for block {n}");
            Assert.Equal(h.Honest(n), root);
        }
        Assert.False(h.StoreHas("state", "junk-key"u8), "the replay kept garbage in the state");
        await h.Agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Agreed, (await h.Agreement.CheckOnceAsync()).Outcome);
        Assert.Equal(VmAgreementState.InAgreement, h.Agreement.State);
        Assert.Equal(VmHostState.Running, h.Host.State);
        Assert.Equal(2, h.Agreement.GetStatus().DivergencesTotal);
    }
}
