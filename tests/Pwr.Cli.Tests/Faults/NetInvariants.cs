using System.Text.Json;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;

namespace Pwr.Cli.Tests.Faults;

/// <summary>Load of the network fault tests: transfers submitted through one node and acknowledged once finalized (checked with <see cref="FaultInvariants"/>).</summary>
internal static class NetInvariants
{
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
