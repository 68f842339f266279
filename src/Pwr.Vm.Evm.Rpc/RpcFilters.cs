using System.Globalization;
using Pwr.Core;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>Installed eth_newFilter / eth_newBlockFilter / eth_newPendingTransactionFilter filters with their poll cursors.</summary>
/// <remarks>Filters not polled for <see cref="Timeout"/> are dropped, as geth does (5 minutes).</remarks>
internal sealed class RpcFilters(TimeProvider time)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private const int MaxFilters = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _filters = [];
    private ulong _nextId = 1;

    public enum Kind { Logs, Blocks, PendingTransactions }

    /// <summary>One filter: what it matches and the last block its changes were reported up to (for a pending-transaction
    /// filter: how many accepted transactions it has reported, see <see cref="PendingTransactions.Added"/>).</summary>
    public sealed class Entry(Kind kind, LogFilter? logs, ulong lastBlock)
    {
        public Kind Kind { get; } = kind;
        public LogFilter? Logs { get; } = logs;
        public ulong LastBlock { get; set; } = lastBlock;
        public long LastUsed { get; set; }
    }

    public string Install(Kind kind, LogFilter? logs, ulong head)
    {
        lock (_gate)
        {
            Expire();
            if (_filters.Count >= MaxFilters) throw new RpcException(RpcException.ServerError, "too many filters installed");
            var id = "0x" + (_nextId++).ToString("x", CultureInfo.InvariantCulture);
            _filters[id] = new Entry(kind, logs, head) { LastUsed = time.GetTimestamp() };
            return id;
        }
    }

    /// <summary>The filter (touching it, so it stays alive), or null when unknown or expired.</summary>
    public Entry? Get(string id)
    {
        lock (_gate)
        {
            Expire();
            if (!_filters.TryGetValue(Normalize(id), out var entry)) return null;
            entry.LastUsed = time.GetTimestamp();
            return entry;
        }
    }

    public bool Uninstall(string id) { lock (_gate) return _filters.Remove(Normalize(id)); }

    private static string Normalize(string id) => id.ToLowerInvariant();

    private void Expire()
    {
        foreach (var (id, entry) in _filters.ToList())
            if (time.GetElapsedTime(entry.LastUsed) > Timeout) _filters.Remove(id);
    }
}
