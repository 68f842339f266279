using Pwr.Core;
using Pwr.Vm.Evm.Transactions;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>Ethereum transactions the wrapper has accepted but the VM has not executed yet: for pending nonces and lookups.</summary>
/// <remarks>Entries leave once the VM has a receipt or a rejection for them (see <see cref="Prune"/>).</remarks>
internal sealed class PendingTransactions
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Hash32, SignedTransaction> _byHash = [];
    private readonly Dictionary<(Address Sender, ulong Nonce), SignedTransaction> _byNonce = [];
    private readonly Dictionary<Address, (ulong Next, int Count)> _senders = [];
    // The hashes of the last FeedSize transactions added, for pending-transaction filters and subscriptions.
    private const int FeedSize = 4096;
    private readonly Hash32[] _feed = new Hash32[FeedSize];
    private long _added;

    /// <summary>How many transactions were ever added: the cursor of a feed reader that has seen everything so far.</summary>
    public long Added { get { lock (_gate) return _added; } }

    /// <summary>The hashes added after cursor <paramref name="since"/> (at most the last 4096), and the new cursor.</summary>
    public (List<Hash32> Hashes, long Cursor) AddedSince(long since)
    {
        lock (_gate)
        {
            var hashes = new List<Hash32>();
            for (long i = Math.Max(since, _added - FeedSize); i < _added; i++) hashes.Add(_feed[i % FeedSize]);
            return (hashes, _added);
        }
    }

    /// <summary>Every pending transaction, by sender and nonce (txpool_content).</summary>
    public List<SignedTransaction> Snapshot() { lock (_gate) return [.. _byHash.Values]; }

    public int Count { get { lock (_gate) return _byHash.Count; } }

    public bool Contains(in Hash32 hash) { lock (_gate) return _byHash.ContainsKey(hash); }

    public SignedTransaction? Get(in Hash32 hash) { lock (_gate) return _byHash.GetValueOrDefault(hash); }

    /// <summary>The queued transaction of <paramref name="sender"/> with <paramref name="nonce"/>, if any.</summary>
    public SignedTransaction? WithNonce(in Address sender, ulong nonce) { lock (_gate) return _byNonce.GetValueOrDefault((sender, nonce)); }

    /// <summary>The nonce after the sender's highest pending transaction, if any.</summary>
    public ulong? NextNonce(in Address sender) { lock (_gate) return _senders.TryGetValue(sender, out var s) ? s.Next : null; }

    public void Add(SignedTransaction tx)
    {
        lock (_gate)
        {
            if (!_byHash.TryAdd(tx.Hash, tx)) return;
            _feed[_added++ % FeedSize] = tx.Hash;
            _byNonce[(tx.Sender, tx.Nonce)] = tx;
            var (next, count) = _senders.GetValueOrDefault(tx.Sender);
            _senders[tx.Sender] = (Math.Max(next, tx.Nonce + 1), count + 1);
        }
    }

    /// <summary>Drops every transaction <paramref name="settled"/> says the VM has dealt with; a sender with none left
    /// pending gets its nonce from the state again (so one the VM rejected does not leave a gap in "pending" nonces).</summary>
    public void Prune(Func<Hash32, bool> settled)
    {
        lock (_gate)
        {
            List<SignedTransaction>? done = null;
            foreach (var tx in _byHash.Values)
                if (settled(tx.Hash)) (done ??= []).Add(tx);
            if (done is null) return;
            foreach (var tx in done)
            {
                _byHash.Remove(tx.Hash);
                if (_byNonce.TryGetValue((tx.Sender, tx.Nonce), out var queued) && queued.Hash == tx.Hash) _byNonce.Remove((tx.Sender, tx.Nonce));
                var (next, count) = _senders[tx.Sender];
                if (count <= 1) _senders.Remove(tx.Sender);
                else _senders[tx.Sender] = (next, count - 1);
            }
        }
    }

    /// <summary>
    /// Drops the transactions new VM blocks executed, then asks <paramref name="rejected"/> only about each sender's
    /// lowest pending transaction (and, if that one was rejected, the sender's others): a rejection leaves the nonce
    /// unused, so later ones of that sender fail too. Costs one lookup per sender instead of one per pending transaction.
    /// </summary>
    public void PruneExecuted(IEnumerable<Hash32> executed, Func<Hash32, bool> rejected)
    {
        Prune(new HashSet<Hash32>(executed).Contains);
        List<SignedTransaction> lowest = [];
        lock (_gate)
        {
            var min = new Dictionary<Address, SignedTransaction>();
            foreach (var tx in _byHash.Values)
                if (!min.TryGetValue(tx.Sender, out var m) || tx.Nonce < m.Nonce) min[tx.Sender] = tx;
            lowest.AddRange(min.Values);
        }
        HashSet<Address>? suspects = null;
        foreach (var tx in lowest)
            if (rejected(tx.Hash)) (suspects ??= []).Add(tx.Sender);
        if (suspects is null) return;
        List<Hash32> candidates;
        lock (_gate) candidates = [.. _byHash.Values.Where(tx => suspects.Contains(tx.Sender)).Select(tx => tx.Hash)];
        var rejectedHashes = candidates.Where(rejected).ToHashSet();
        if (rejectedHashes.Count > 0) Prune(rejectedHashes.Contains);
    }

    /// <summary>Forgets transactions the base layer never took (the batch was dropped).</summary>
    public void Remove(IEnumerable<Hash32> hashes) => Prune(new HashSet<Hash32>(hashes).Contains);
}
