using Pwr.Chain;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;

namespace Pwr.Cli.Tests.Faults;

/// <summary>The checks after every crash scenario, over the nodes that are running, and the crash tests' log helpers.</summary>
internal static class CrashInvariants
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Runs the <see cref="FaultInvariants"/> over the running nodes; returns the highest height every running node has (all compared up to it).</summary>
    public static async Task<ulong> CheckAsync(LocalnetProcesses net, IReadOnlyList<int> running, IReadOnlyCollection<Hash32> acknowledged)
    {
        Assert.NotEmpty(running);
        // A node may trail the others by a block or two; let it reach the highest head seen so that every
        // acknowledged transaction (seen on some node at or below that head) can be asked of every node.
        ulong top = 0;
        foreach (var i in running) top = Math.Max(top, await net.Apis[i].BlocksCountAsync());
        foreach (var i in running) await net.WaitForHeightAsync(i, top, SettleTimeout);

        var apis = Apis(net, running);
        await FaultInvariants.AssertNoForkAsync(apis);
        await AssertAcknowledgedPresentAsync(net, running, acknowledged);
        await AssertSupplyConservedAsync(net, running);
        return top;
    }

    public static IReadOnlyList<NodeApi> Apis(LocalnetProcesses net, IReadOnlyList<int> running) => [.. running.Select(i => net.Apis[i])];

    /// <summary>The crash load acknowledges hashes, not blocks: each must be finalized on every running node.</summary>
    public static async Task AssertAcknowledgedPresentAsync(LocalnetProcesses net, IReadOnlyList<int> running, IReadOnlyCollection<Hash32> acknowledged)
    {
        foreach (var i in running)
            foreach (var hash in acknowledged)
            {
                var r = await net.Apis[i].GetRawAsync($"/transactionByHash?hash={hash}");
                Assert.True(r.Status == 200, $"node {i} lacks acknowledged-finalized transaction {hash}: {r}");
            }
    }

    /// <summary>
    /// Supply conserved (<see cref="FaultInvariants.AssertSupplyConservedAsync"/>), against the genesis.json on disk too;
    /// and nothing is slashed or unbonded in a crash scenario, so burned is 0 and the genesis stakes stay bonded.
    /// </summary>
    public static async Task AssertSupplyConservedAsync(LocalnetProcesses net, IReadOnlyList<int> running)
    {
        var genesis = Genesis.FromJson(await File.ReadAllTextAsync(Path.Combine(net.Dir, "genesis.json")));
        ulong genesisBonded = genesis.Validators.Aggregate(0UL, (sum, v) => sum + v.Power);
        foreach (var i in running)
        {
            var s = await FaultInvariants.AssertSupplyConservedAsync(net.Apis[i]);
            Assert.True(genesis.TotalSupply == s.GetProperty("genesisSupply").GetUInt64(), $"node {i} reports another genesis supply: {s}");
            Assert.True(s.GetProperty("burned").GetUInt64() == 0, $"node {i} burned units (a slash) in a crash-only scenario: {s}");
            Assert.True(s.GetProperty("bonded").GetUInt64() == genesisBonded && s.GetProperty("unbonding").GetUInt64() == 0, $"node {i}: stakes moved in a crash-only scenario: {s}");
        }
    }

    /// <summary>Every DoubleSignEvidence transaction in node <paramref name="i"/>'s blocks 1..upTo (none expected without a byzantine validator).</summary>
    public static async Task<List<string>> EvidenceTransactionsAsync(NodeApi api, ulong upTo)
    {
        var found = new List<string>();
        for (ulong n = 1; n <= upTo; n++)
        {
            var block = (await api.GetAsync($"/blockWithTransactions?blockNumber={n}")).GetProperty("block");
            foreach (var tx in block.GetProperty("transactions").EnumerateArray())
                if (tx.GetProperty("type").GetString() is "DoubleSignEvidence" or "1043") found.Add($"block {n}: {tx}");
        }
        return found;
    }

    /// <summary>Lines of a node's output that report equivocation or double-signing.</summary>
    public static IEnumerable<string> EquivocationLines(string output)
        => output.Split('\n').Where(l => l.Contains("equivocat", StringComparison.OrdinalIgnoreCase) || l.Contains("double-sign", StringComparison.OrdinalIgnoreCase));

    /// <summary>Keeps a node's captured output as nodeI/node.log (appended across restarts) for the checks and for diagnosis.</summary>
    public static void SaveLog(LocalnetProcesses net, int i)
    {
        if (net.Process(i) is not { } p) return;
        var path = Path.Combine(Path.GetDirectoryName(net.ConfigPaths[i])!, "node.log");
        File.AppendAllText(path, $"--- {p.CommandLine} (pid {p.Id}) ---\n{p.StdOut}{p.StdErr}");
    }

    public static string ReadLog(LocalnetProcesses net, int i)
    {
        var path = Path.Combine(Path.GetDirectoryName(net.ConfigPaths[i])!, "node.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }
}
