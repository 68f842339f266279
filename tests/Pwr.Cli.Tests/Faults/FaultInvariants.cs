using System.Text.Json;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;

namespace Pwr.Cli.Tests.Faults;

/// <summary>
/// What every fault test ends with (issue: "after each"): no fork (identical block hashes at every height two nodes
/// share), every transaction acknowledged as finalized is in the same block on every node, and supply conservation
/// (balances + bonded + unbonding + burned = genesis supply, by a full audit of the accounts).
/// </summary>
internal static class FaultInvariants
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    public static async Task AssertAllAsync(IReadOnlyList<NodeApi> apis, IReadOnlyDictionary<Hash32, ulong> acknowledged)
    {
        await AssertNoForkAsync(apis);
        await AssertFinalizedPresentAsync(apis, acknowledged);
        foreach (var api in apis) await AssertSupplyConservedAsync(api);
    }

    /// <summary>Compares every height any two nodes share; returns the lowest head among them.</summary>
    public static async Task<ulong> AssertNoForkAsync(IReadOnlyList<NodeApi> apis)
    {
        Assert.NotEmpty(apis);
        var heads = await Task.WhenAll(apis.Select(a => a.BlocksCountAsync()));
        Assert.True(heads.Min() > 0, "a node has no finalized block");
        var perNode = await Task.WhenAll(apis.Select(async (api, i) =>
        {
            var hashes = new List<string>();
            for (ulong n = 1; n <= heads[i]; n++) hashes.Add(await api.BlockHashAsync(n));
            return hashes;
        }));
        for (ulong n = 1; n <= heads.Max(); n++)
        {
            var atN = perNode.Select((h, i) => (Node: apis[i].BaseUrl, Hash: (ulong)h.Count >= n ? h[(int)n - 1] : null)).Where(x => x.Hash is not null).ToList();
            Assert.True(atN.Select(x => x.Hash).Distinct().Count() == 1, $"fork at height {n}: " + string.Join(", ", atN.Select(x => $"{x.Node} {x.Hash}")));
        }
        return heads.Min();
    }

    /// <summary>Every acknowledged transaction is on every node, in the block it was acknowledged in.</summary>
    public static async Task AssertFinalizedPresentAsync(IReadOnlyList<NodeApi> apis, IReadOnlyDictionary<Hash32, ulong> acknowledged)
    {
        foreach (var api in apis)
            foreach (var (hash, block) in acknowledged)
            {
                var tx = await api.WaitForTransactionAsync(hash, Wait);
                Assert.True(tx.GetProperty("blockNumber").GetUInt64() == block,
                    $"{api.BaseUrl} has transaction {hash} in block {tx.GetProperty("blockNumber")}; it was acknowledged in block {block}");
            }
    }

    /// <summary>The audited supply (a scan of every account) adds up to the genesis supply with the burned units, and the cheap totals agree with it.</summary>
    public static async Task<JsonElement> AssertSupplyConservedAsync(NodeApi api)
    {
        // Two reads are not atomic; retry until both come from the same height.
        JsonElement audit = default, totals = default;
        await Eventually.UntilAsync(async () =>
        {
            ulong before = await api.BlocksCountAsync();
            audit = await api.GetAsync("/totalSupply?audit=true");
            totals = await api.GetAsync("/totalSupply");
            return await api.BlocksCountAsync() == before;
        }, Wait, $"a stable height to audit the supply at {api.BaseUrl}");
        Assert.True(audit.GetProperty("audited").GetBoolean());
        ulong balances = audit.GetProperty("balances").GetUInt64(), bonded = audit.GetProperty("bonded").GetUInt64();
        ulong unbonding = audit.GetProperty("unbonding").GetUInt64(), burned = audit.GetProperty("burned").GetUInt64();
        ulong genesis = audit.GetProperty("genesisSupply").GetUInt64();
        Assert.Equal(balances + bonded + unbonding, audit.GetProperty("total").GetUInt64());
        Assert.True((UInt128)balances + bonded + unbonding + burned == genesis,
            $"supply not conserved at {api.BaseUrl}: balances {balances} + bonded {bonded} + unbonding {unbonding} + burned {burned} != genesis {genesis}");
        foreach (var field in new[] { "balances", "bonded", "unbonding", "burned", "total" })
            Assert.True(audit.GetProperty(field).GetUInt64() == totals.GetProperty(field).GetUInt64(), $"{field}: audit {audit.GetProperty(field)} vs totals {totals.GetProperty(field)}");
        return audit;
    }
}
