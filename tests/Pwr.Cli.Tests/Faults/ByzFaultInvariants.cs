using System.Text.Json;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;

namespace Pwr.Cli.Tests.Faults;

/// <summary>The byzantine, staking and VM fault tests run one at a time (each starts four or five node processes).</summary>
[CollectionDefinition(Name)]
public sealed class ByzFaultCollection
{
    public const string Name = "ByzantineStakingVmFaults";
}

/// <summary>
/// The invariants every fault test ends with: no fork (identical block hashes at every shared height), every
/// transaction acknowledged as finalized is in the same block on every node, and supply conservation
/// (balances + bonded + unbonding + burned = genesis supply, by a full audit).
/// </summary>
internal static class ByzFaultInvariants
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    /// <summary>Compares block hashes 1..(lowest head) on all <paramref name="apis"/>; returns the height compared up to.</summary>
    public static async Task<ulong> AssertNoForkAsync(IReadOnlyList<NodeApi> apis)
    {
        ulong shared = ulong.MaxValue;
        foreach (var api in apis) shared = Math.Min(shared, await api.BlocksCountAsync());
        Assert.True(shared > 0, "no block was finalized");
        for (ulong n = 1; n <= shared; n++)
        {
            var hashes = new List<string>();
            foreach (var api in apis) hashes.Add(await api.BlockHashAsync(n));
            Assert.True(hashes.Distinct().Count() == 1, $"fork at height {n}: {string.Join(", ", hashes.Select((h, i) => $"{apis[i].BaseUrl}={h}"))}");
        }
        return shared;
    }

    /// <summary>Every acknowledged transaction is on every node, in the same block, with the same outcome.</summary>
    public static async Task AssertFinalizedPresentAsync(IReadOnlyList<NodeApi> apis, IReadOnlyDictionary<Hash32, ulong> acknowledged)
    {
        foreach (var (hash, block) in acknowledged)
            foreach (var api in apis)
            {
                var tx = await api.WaitForTransactionAsync(hash, Wait);
                Assert.Equal(block, tx.GetProperty("blockNumber").GetUInt64());
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
        Assert.True(balances + bonded + unbonding + burned == genesis,
            $"supply not conserved at {api.BaseUrl}: balances {balances} + bonded {bonded} + unbonding {unbonding} + burned {burned} != genesis {genesis}");
        foreach (var field in new[] { "balances", "bonded", "unbonding", "burned", "total" })
            Assert.True(audit.GetProperty(field).GetUInt64() == totals.GetProperty(field).GetUInt64(), $"{field}: audit {audit.GetProperty(field)} vs totals {totals.GetProperty(field)}");
        return audit;
    }

    /// <summary>Scans finalized blocks from <paramref name="from"/> for the first transaction that matches; null if none up to the head.</summary>
    public static async Task<(ulong Block, JsonElement Tx)?> FindTransactionAsync(NodeApi api, ulong from, Func<JsonElement, bool> match)
    {
        ulong head = await api.BlocksCountAsync();
        for (ulong n = from; n <= head; n++)
        {
            var block = (await api.GetAsync($"/blockWithTransactions?blockNumber={n}")).GetProperty("block");
            foreach (var tx in block.GetProperty("transactions").EnumerateArray())
                if (match(tx)) return (n, tx);
        }
        return null;
    }

    public static async Task<JsonElement> BlockAsync(NodeApi api, ulong n) => (await api.GetAsync($"/block?blockNumber={n}")).GetProperty("block");

    public static async Task<IReadOnlyList<string>> ValidatorAddressesAsync(NodeApi api)
        => [.. (await api.GetAsync("/validators")).GetProperty("validators").EnumerateArray().Select(v => v.GetProperty("address").GetString()!)];
}
