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

/// <summary>Reads the byzantine, staking and VM fault tests make of blocks and validator sets (the invariants are <see cref="FaultInvariants"/>).</summary>
internal static class ByzFaultInvariants
{
    public static readonly TimeSpan Wait = FaultInvariants.Wait;

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
