using System.Text.Json;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;

namespace Pwr.Cli.Tests.Faults;

/// <summary>
/// What must hold after every network fault: no fork (all nodes have the same hash at every height they share), every
/// transaction once seen finalized is still in the same block on every node, and no unit was created or lost.
/// </summary>
internal static class NetInvariants
{
    public static async Task AssertAllAsync(IReadOnlyList<NodeApi> apis, IReadOnlyDictionary<Hash32, ulong> acknowledged)
    {
        await AssertNoForkAsync(apis);
        await AssertAcknowledgedTransactionsPresentAsync(apis, acknowledged);
        await AssertSupplyConservedAsync(apis);
    }

    /// <summary>Compares every height any two nodes share; returns the lowest head among them.</summary>
    public static async Task<ulong> AssertNoForkAsync(IReadOnlyList<NodeApi> apis)
    {
        var heads = await Task.WhenAll(apis.Select(a => a.BlocksCountAsync()));
        ulong max = heads.Max();
        var perNode = await Task.WhenAll(apis.Select(async (api, i) =>
        {
            var hashes = new List<string>();
            for (ulong n = 1; n <= heads[i]; n++) hashes.Add(await api.BlockHashAsync(n));
            return hashes;
        }));
        for (ulong n = 1; n <= max; n++)
        {
            var atN = perNode.Select((h, i) => (Node: i, Hash: (ulong)h.Count >= n ? h[(int)n - 1] : null)).Where(x => x.Hash is not null).ToList();
            var distinct = atN.Select(x => x.Hash).Distinct().ToList();
            Assert.True(distinct.Count == 1, $"fork at height {n}: " + string.Join(", ", atN.Select(x => $"node {x.Node} {x.Hash}")));
        }
        return heads.Min();
    }

    /// <summary>Every acknowledged transaction is in the same block on every node.</summary>
    public static async Task AssertAcknowledgedTransactionsPresentAsync(IReadOnlyList<NodeApi> apis, IReadOnlyDictionary<Hash32, ulong> acknowledged)
    {
        for (int i = 0; i < apis.Count; i++)
        {
            foreach (var (hash, block) in acknowledged)
            {
                var tx = await apis[i].WaitForTransactionAsync(hash, TimeSpan.FromSeconds(60));
                Assert.True(tx.GetProperty("blockNumber").GetUInt64() == block, $"node {i} has transaction {hash} in block {tx.GetProperty("blockNumber")}, it was acknowledged in block {block}");
            }
        }
    }

    /// <summary>The audited supply (a sum over all accounts) plus what was burned equals the genesis supply on every node.</summary>
    public static async Task AssertSupplyConservedAsync(IReadOnlyList<NodeApi> apis)
    {
        for (int i = 0; i < apis.Count; i++)
        {
            var s = await apis[i].GetAsync("/totalSupply?audit=true");
            Assert.True(s.GetProperty("audited").GetBoolean());
            ulong genesis = s.GetProperty("genesisSupply").GetUInt64();
            UInt128 sum = (UInt128)s.GetProperty("balances").GetUInt64() + s.GetProperty("bonded").GetUInt64()
                + s.GetProperty("unbonding").GetUInt64() + s.GetProperty("burned").GetUInt64();
            Assert.True(sum == genesis, $"node {i}: balances + bonded + unbonding + burned = {sum}, genesis supply {genesis} ({s})");
        }
    }

    /// <summary>Submits transfers of <paramref name="sender"/> (from its current nonce) through <paramref name="api"/>; returns their hashes.</summary>
    public static async Task<List<Hash32>> SubmitTransfersAsync(NodeApi api, FalconKeyPair sender, Address receiver, int count)
    {
        uint nonce = await api.NonceAsync(sender.Address);
        var hashes = new List<Hash32>();
        for (int k = 0; k < count; k++)
            hashes.Add(await api.BroadcastOkAsync(Txs.Transfer(sender, nonce + (uint)k, receiver, 1_000 + (ulong)k)));
        return hashes;
    }

    /// <summary>Waits until each transaction is finalized on <paramref name="api"/> and records its block as acknowledged.</summary>
    public static async Task AcknowledgeAsync(NodeApi api, IEnumerable<Hash32> hashes, Dictionary<Hash32, ulong> acknowledged, TimeSpan timeout)
    {
        foreach (var h in hashes)
        {
            JsonElement tx = await api.WaitForTransactionAsync(h, timeout);
            Assert.True(tx.GetProperty("success").GetBoolean(), tx.ToString());
            acknowledged[h] = tx.GetProperty("blockNumber").GetUInt64();
        }
    }
}
