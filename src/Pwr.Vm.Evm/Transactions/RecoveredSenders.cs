using System.Collections.Concurrent;
using Pwr.Core;

namespace Pwr.Vm.Evm.Transactions;

/// <summary>
/// Senders already recovered in this process, by transaction hash (Keccak-256 of the signed encoding, so it covers the
/// signed fields and the signature). The wrapper recovers a sender at eth_sendRawTransaction and the EVM again when
/// it executes the block; with both in one process the second recovery is a lookup. Recovery is a pure function of
/// those bytes, so results are the same with or without the cache.
/// </summary>
internal static class RecoveredSenders
{
    private const int Capacity = 262_144;
    private static readonly ConcurrentDictionary<Hash32, Address> s_senders = new();

    public static bool TryGet(in Hash32 transactionHash, out Address sender) => s_senders.TryGetValue(transactionHash, out sender);

    public static void Add(in Hash32 transactionHash, in Address sender)
    {
        // Bounded without bookkeeping: past the capacity start over (entries are only a shortcut).
        if (s_senders.Count >= Capacity) s_senders.Clear();
        s_senders[transactionHash] = sender;
    }
}
