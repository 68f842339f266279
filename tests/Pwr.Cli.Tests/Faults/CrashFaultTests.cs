using Pwr.Cli.Tests.Infrastructure;

namespace Pwr.Cli.Tests.Faults;

/// <summary>The crash-fault tests' own collection: one 4-validator network at a time.</summary>
[CollectionDefinition(Name)]
public sealed class CrashFaultCollection
{
    public const string Name = "faults-crash";
}

/// <summary>
/// Crash faults of a 4-validator network of real `pwr node` processes on loopback, under a transfer load: kill -9 of
/// one validator, of two (liveness lost, safety kept, then restart), and of all four mid-round (WAL: no double-sign).
/// After each: no fork, every acknowledged-finalized transaction on every node, total supply conserved.
/// </summary>
[Collection(CrashFaultCollection.Name)]
public sealed class CrashFaultTests
{
    private const int Validators = 4;
    private static readonly int[] Senders = [1, 2, 3, 4, 5, 6];
    private static readonly TimeSpan Boot = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Killing_one_of_four_validators_under_load_does_not_stop_finalization_or_fork_the_chain()
    {
        using var dir = new TempDir("crashfault-one");
        await using var net = await LocalnetProcesses.InitAsync(dir.Path, Validators);
        var alive = StartAll(net);
        await net.WaitForHeightOnAllAsync(3, Boot);
        await using var load = CrashLoad.Start(() => Live(net, alive), Senders, "crash-one");
        await WaitForAcknowledgedAsync(load, 12);

        await KillAsync(net, alive, 3);
        var survivors = Running(alive);
        ulong headAtKill = await MaxHeadAsync(net, survivors);
        int ackedAtKill = load.AcknowledgedCount;

        // Three of four validators hold > 2/3 of the power: blocks, and the load's transactions, keep finalizing.
        foreach (var i in survivors) await net.WaitForHeightAsync(i, headAtKill + 15, Wait);
        await WaitForAcknowledgedAsync(load, ackedAtKill + 20);

        // A validator's /metrics under load: its two live peers, its height, transactions finalizing now.
        var metrics = await net.Apis[survivors[0]].GetRawAsync("/metrics");
        Assert.Matches(@"(?m)^pwr_peers 2$", metrics.Body);
        var height = System.Text.RegularExpressions.Regex.Match(metrics.Body, @"(?m)^pwr_height (\d+)$");
        Assert.True(height.Success && ulong.Parse(height.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= headAtKill + 15, metrics.Body);
        var tps = System.Text.RegularExpressions.Regex.Match(metrics.Body, @"(?m)^pwr_finalized_tps ([0-9.e+-]+)$");
        Assert.True(tps.Success && double.Parse(tps.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, metrics.Body);
        Assert.Matches(@"(?m)^pwr_commit_latency_seconds_count [1-9]", metrics.Body);
        await load.StopAsync();
        await CrashInvariants.CheckAsync(net, survivors, load.Acknowledged);

        // The killed validator's own blocks are the same chain: restarted, it catches up and matches.
        Restart(net, alive, 3);
        await net.WaitForHeightAsync(3, 1, Boot);
        await CrashInvariants.CheckAsync(net, Running(alive), load.Acknowledged);
        SaveLogs(net);
    }

    [Fact]
    public async Task Killing_two_of_four_validators_halts_finalization_without_a_fork_and_restarting_them_resumes_it()
    {
        using var dir = new TempDir("crashfault-two");
        await using var net = await LocalnetProcesses.InitAsync(dir.Path, Validators);
        var alive = StartAll(net);
        await net.WaitForHeightOnAllAsync(3, Boot);
        await using var load = CrashLoad.Start(() => Live(net, alive), Senders, "crash-two");
        await WaitForAcknowledgedAsync(load, 12);

        await KillAsync(net, alive, 3);
        ulong afterFirst = await MaxHeadAsync(net, Running(alive));
        foreach (var i in Running(alive)) await net.WaitForHeightAsync(i, afterFirst + 5, Wait);

        await KillAsync(net, alive, 2);
        var survivors = Running(alive);
        // Half the power is gone: once in-flight heights settle, no node may finalize another block (liveness lost).
        var halted = await WaitForStableHeadsAsync(net, survivors);
        await Task.Delay(TimeSpan.FromSeconds(10)); // an observation window of ~30 block intervals
        for (int k = 0; k < survivors.Count; k++)
        {
            ulong now = await net.Apis[survivors[k]].BlocksCountAsync();
            Assert.True(now == halted[k], $"node {survivors[k]} finalized past {halted[k]} (now {now}) with only 2 of 4 validators running");
        }
        // Safety kept while halted: the two survivors agree on every block they have.
        await FaultInvariants.AssertNoForkAsync(CrashInvariants.Apis(net, survivors));
        ulong haltHead = halted.Max();
        int ackedAtHalt = load.AcknowledgedCount;

        Restart(net, alive, 2);
        Restart(net, alive, 3);
        // Progress resumes and both restarted validators catch up past the halt.
        for (int i = 0; i < Validators; i++) await net.WaitForHeightAsync(i, haltHead + 10, Wait);
        await WaitForAcknowledgedAsync(load, ackedAtHalt + 20);
        await load.StopAsync();
        await CrashInvariants.CheckAsync(net, Running(alive), load.Acknowledged);
        SaveLogs(net);
    }

    [Fact]
    public async Task Killing_all_four_validators_mid_round_under_load_restarts_the_same_chain_without_double_signing()
    {
        using var dir = new TempDir("crashfault-all");
        await using var net = await LocalnetProcesses.InitAsync(dir.Path, Validators);
        var alive = StartAll(net);
        using var observer = CrashObserver.Start(net); // survives the kill, remembering the votes of the height in progress
        await net.WaitForHeightOnAllAsync(3, Boot);
        await observer.Api.WaitForBlocksAsync(3, Boot);
        await using var load = CrashLoad.Start(() => Live(net, alive), Senders, "crash-all");
        await WaitForAcknowledgedAsync(load, 12);

        // What the nodes have finalized so far must survive the crash unchanged.
        var before = new List<string>();
        ulong seen = await net.Apis[0].BlocksCountAsync();
        for (ulong n = 1; n <= seen; n++) before.Add(await net.Apis[0].BlockHashAsync(n));

        // Catch node 0 voting in a round (prevote or precommit step), then SIGKILL all four at once.
        await Eventually.UntilAsync(async () =>
        {
            var step = (await net.Apis[0].GetAsync("/consensus")).GetProperty("step").GetString();
            return step is "prevote" or "precommit";
        }, Wait, "node 0 to be in a prevote or precommit step", TimeSpan.FromMilliseconds(20));
        var all = Enumerable.Range(0, Validators).ToList();
        var headsAtKill = new List<ulong>();
        foreach (var i in all) headsAtKill.Add(await net.Apis[i].BlocksCountAsync());
        foreach (var i in all) alive[i] = false;
        await Task.WhenAll(all.Select(net.KillAsync));
        foreach (var i in all) await SaveLogAsync(net, i);
        ulong headBefore = headsAtKill.Max();

        // Finalized blocks are on disk: each restarted node starts at least where it was.
        foreach (var i in all) Restart(net, alive, i);
        foreach (var i in all)
        {
            ulong head = await net.WaitForHeightAsync(i, 1, Boot);
            Assert.True(head >= headsAtKill[i], $"node {i} restarted at height {head}, below the {headsAtKill[i]} it had finalized before the kill");
        }
        int ackedAtRestart = load.AcknowledgedCount;

        // Heights continue past the kill point, and the load finalizes again.
        foreach (var i in all) await net.WaitForHeightAsync(i, headBefore + 10, Wait);
        await WaitForAcknowledgedAsync(load, ackedAtRestart + 12);
        await load.StopAsync();
        ulong top = await CrashInvariants.CheckAsync(net, all, load.Acknowledged);
        for (int k = 0; k < before.Count; k++) Assert.Equal(before[k], await net.Apis[0].BlockHashAsync((ulong)k + 1)); // the others: CheckAsync

        // No validator signed two different votes for one slot: honest nodes would have logged the equivocation
        // and submitted DoubleSignEvidence (type 1043), and the stakes would have been slashed (CheckAsync: burned == 0).
        // (Node 0's blocks stand for all: CheckAsync found the same block hashes on every node.)
        var evidence = await CrashInvariants.EvidenceTransactionsAsync(net.Apis[0], top);
        Assert.True(evidence.Count == 0, "double-sign evidence in the finalized blocks:\n" + string.Join('\n', evidence));
        SaveLogs(net);
        foreach (var i in all)
        {
            var lines = CrashInvariants.EquivocationLines(CrashInvariants.ReadLog(net, i)).ToList();
            Assert.True(lines.Count == 0, $"node {i} logged equivocation:\n" + string.Join('\n', lines));
        }
        // The observer followed the same chain through the crash and saw no validator vote twice.
        await observer.Api.WaitForBlocksAsync(top, Wait);
        for (ulong n = 1; n <= top; n++) Assert.Equal(await net.Apis[0].BlockHashAsync(n), await observer.Api.BlockHashAsync(n));
        var observed = CrashInvariants.EquivocationLines(observer.Process.StdOut + observer.Process.StdErr).ToList();
        Assert.True(observed.Count == 0, "the observer logged equivocation:\n" + string.Join('\n', observed));
    }

    private static bool[] StartAll(LocalnetProcesses net)
    {
        net.StartAll();
        return Enumerable.Repeat(true, net.Count).ToArray();
    }

    private static List<int> Running(bool[] alive) => Enumerable.Range(0, alive.Length).Where(i => Volatile.Read(ref alive[i])).ToList();

    private static IReadOnlyList<NodeApi> Live(LocalnetProcesses net, bool[] alive) => Running(alive).Select(i => net.Apis[i]).ToList();

    /// <summary>kill -9; the load stops targeting the node first, and its output so far is kept as node.log.</summary>
    private static async Task KillAsync(LocalnetProcesses net, bool[] alive, int i)
    {
        Volatile.Write(ref alive[i], false);
        await net.KillAsync(i);
        await SaveLogAsync(net, i);
    }

    private static async Task SaveLogAsync(LocalnetProcesses net, int i)
    {
        await Task.Delay(300); // let the output readers drain what the process wrote before it died
        CrashInvariants.SaveLog(net, i);
    }

    private static void Restart(LocalnetProcesses net, bool[] alive, int i)
    {
        net.Start(i);
        Volatile.Write(ref alive[i], true);
    }

    private static void SaveLogs(LocalnetProcesses net)
    {
        for (int i = 0; i < net.Count; i++) CrashInvariants.SaveLog(net, i);
    }

    private static async Task<ulong> MaxHeadAsync(LocalnetProcesses net, IEnumerable<int> nodes)
    {
        ulong max = 0;
        foreach (var i in nodes) max = Math.Max(max, await net.Apis[i].BlocksCountAsync());
        return max;
    }

    private static async Task WaitForAcknowledgedAsync(CrashLoad load, int count)
        => await Eventually.UntilAsync(() => Task.FromResult(load.AcknowledgedCount >= count), Wait,
            $"{count} load transactions to be acknowledged as finalized (have {load.AcknowledgedCount}, {load.BroadcastErrors} broadcast errors)",
            TimeSpan.FromMilliseconds(250));

    /// <summary>Heads of <paramref name="nodes"/> once they stop moving for 3 s (bounded).</summary>
    private static async Task<List<ulong>> WaitForStableHeadsAsync(LocalnetProcesses net, List<int> nodes)
    {
        List<ulong> last = [];
        await Eventually.UntilAsync(async () =>
        {
            var first = new List<ulong>();
            foreach (var i in nodes) first.Add(await net.Apis[i].BlocksCountAsync());
            await Task.Delay(TimeSpan.FromSeconds(3));
            last = [];
            foreach (var i in nodes) last.Add(await net.Apis[i].BlocksCountAsync());
            return first.SequenceEqual(last);
        }, Wait, "the surviving validators' heads to stop moving");
        return last;
    }
}
