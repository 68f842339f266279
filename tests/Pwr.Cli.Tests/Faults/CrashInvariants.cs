using Pwr.Chain;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;

namespace Pwr.Cli.Tests.Faults;

/// <summary>
/// The checks after every crash scenario, over the nodes that are running: no fork (identical block hashes at every
/// height they share), every acknowledged-finalized transaction on every node, and total supply conserved.
/// </summary>
internal static class CrashInvariants
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Runs all three checks; returns the highest height every running node has (all compared up to it).</summary>
    public static async Task<ulong> CheckAsync(LocalnetProcesses net, IReadOnlyList<int> running, IReadOnlyCollection<Hash32> acknowledged)
    {
        Assert.NotEmpty(running);
        // A node may trail the others by a block or two; let it reach the highest head seen so that every
        // acknowledged transaction (seen on some node at or below that head) can be asked of every node.
        ulong top = 0;
        foreach (var i in running) top = Math.Max(top, await net.Apis[i].BlocksCountAsync());
        foreach (var i in running) await net.WaitForHeightAsync(i, top, SettleTimeout);

        await AssertNoForkAsync(net, running, top);
        await AssertAcknowledgedPresentAsync(net, running, acknowledged);
        await AssertSupplyConservedAsync(net, running);
        return top;
    }

    public static async Task AssertNoForkAsync(LocalnetProcesses net, IReadOnlyList<int> running, ulong upTo)
    {
        for (ulong n = 1; n <= upTo; n++)
        {
            var hashes = new List<string>();
            foreach (var i in running) hashes.Add(await net.Apis[i].BlockHashAsync(n));
            Assert.True(hashes.Distinct().Count() == 1,
                $"fork at height {n}: " + string.Join(", ", running.Select((node, k) => $"node {node} {hashes[k]}")));
        }
    }

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
    /// /totalSupply?audit=true sums every account; with bonded, unbonding and burned it must equal the genesis supply
    /// read from genesis.json. Nothing is slashed in a crash scenario, so burned is 0 and the four stakes stay bonded.
    /// </summary>
    public static async Task AssertSupplyConservedAsync(LocalnetProcesses net, IReadOnlyList<int> running)
    {
        var genesis = Genesis.FromJson(await File.ReadAllTextAsync(Path.Combine(net.Dir, "genesis.json")));
        ulong genesisSupply = genesis.TotalSupply;
        ulong genesisBonded = genesis.Validators.Aggregate(0UL, (sum, v) => sum + v.Power);
        foreach (var i in running)
        {
            var s = await net.Apis[i].GetAsync("/totalSupply?audit=true");
            ulong balances = s.GetProperty("balances").GetUInt64(), bonded = s.GetProperty("bonded").GetUInt64();
            ulong unbonding = s.GetProperty("unbonding").GetUInt64(), burned = s.GetProperty("burned").GetUInt64();
            Assert.True(s.GetProperty("audited").GetBoolean(), $"node {i}: {s}");
            Assert.True(genesisSupply == s.GetProperty("genesisSupply").GetUInt64(), $"node {i} reports another genesis supply: {s}");
            Assert.True((UInt128)balances + bonded + unbonding + burned == genesisSupply,
                $"node {i}: balances {balances} + bonded {bonded} + unbonding {unbonding} + burned {burned} != genesis supply {genesisSupply}");
            Assert.True(burned == 0, $"node {i} burned {burned} units (a slash) in a crash-only scenario: {s}");
            Assert.True(bonded == genesisBonded && unbonding == 0, $"node {i}: stakes moved in a crash-only scenario: {s}");
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
