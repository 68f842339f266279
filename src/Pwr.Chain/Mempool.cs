using Pwr.Core;

namespace Pwr.Chain;

/// <summary>
/// Admitted transactions waiting for a block: bounded in count and bytes, ordered per sender by nonce and
/// across senders by arrival. Thread-safe; signature checks happen before <see cref="TryAdd"/>, outside the lock.
/// </summary>
public sealed class Mempool(ChainOptions options, TimeProvider time)
{
    private readonly object _lock = new();
    private readonly Dictionary<Hash32, PendingTransaction> _byHash = [];
    private readonly Dictionary<Address, SortedList<uint, PendingTransaction>> _bySender = [];
    private readonly Dictionary<Address, ulong> _pendingCost = [];
    private long _bytes;
    private long _sequence;

    public int Count { get { lock (_lock) return _byHash.Count; } }
    public long Bytes { get { lock (_lock) return _bytes; } }

    public bool Contains(Hash32 hash) { lock (_lock) return _byHash.ContainsKey(hash); }

    /// <summary>The key of a pending SetPublicKey from this sender, so its next transactions can be checked before it lands.</summary>
    public byte[]? PendingPublicKey(Address sender)
    {
        lock (_lock)
        {
            if (!_bySender.TryGetValue(sender, out var list)) return null;
            foreach (var p in list.Values)
                if (p.Tx.Type == TransactionType.SetPublicKey) return p.Tx.PublicKey.ToArray();
            return null;
        }
    }

    /// <summary>Admits a verified transaction against the sender's committed account, or says why not.</summary>
    public AdmissionResult TryAdd(Transaction tx, byte[] verifiedKey, ulong fee, Account committed)
    {
        lock (_lock)
        {
            if (_byHash.ContainsKey(tx.Hash)) return AdmissionResult.Reject(RejectReason.AlreadyKnown, $"transaction {tx.Hash} is already pending", tx.Hash);
            if (tx.Nonce < committed.Nonce)
                return AdmissionResult.Reject(RejectReason.NonceTooLow, $"nonce too low: {tx.Nonce}, the account's next nonce is {committed.Nonce}", tx.Hash);
            if (tx.Nonce - committed.Nonce > options.MaxNonceGap)
                return AdmissionResult.Reject(RejectReason.NonceTooFarAhead, $"nonce {tx.Nonce} is more than {options.MaxNonceGap} ahead of the account's next nonce {committed.Nonce}", tx.Hash);
            _bySender.TryGetValue(tx.Sender, out var list);
            if (list is not null && list.ContainsKey(tx.Nonce))
                return AdmissionResult.Reject(RejectReason.NonceAlreadyPending, $"a transaction from {tx.Sender} with nonce {tx.Nonce} is already pending", tx.Hash);
            ulong pendingCost = _pendingCost.GetValueOrDefault(tx.Sender);
            UInt128 needed = (UInt128)fee + tx.Spend + pendingCost;
            if (needed > committed.Balance)
                return AdmissionResult.Reject(RejectReason.InsufficientBalance,
                    $"insufficient balance: {tx.Sender} has {committed.Balance} units; this transaction needs {(UInt128)fee + tx.Spend} (fee {fee}) on top of {pendingCost} already pending", tx.Hash);
            if (_byHash.Count >= options.MempoolMaxTransactions || _bytes + tx.Size > options.MempoolMaxBytes)
                return AdmissionResult.Reject(RejectReason.MempoolFull, $"mempool is full ({_byHash.Count} transactions, {_bytes} bytes); retry after the next blocks", tx.Hash);

            var pending = new PendingTransaction(tx, verifiedKey, fee, _sequence++, time.GetTimestamp());
            if (list is null) _bySender[tx.Sender] = list = [];
            list.Add(tx.Nonce, pending);
            _byHash[tx.Hash] = pending;
            _pendingCost[tx.Sender] = pendingCost + pending.Cost;
            _bytes += tx.Size;
            return AdmissionResult.Accept(tx.Hash);
        }
    }

    /// <summary>Pending transactions in proposal order: each sender's by nonce, senders interleaved by arrival.</summary>
    public List<PendingTransaction> Snapshot(int maxCount)
    {
        lock (_lock)
        {
            var result = new List<PendingTransaction>(Math.Min(maxCount, _byHash.Count));
            var heads = new PriorityQueue<(SortedList<uint, PendingTransaction> List, int Index), long>(_bySender.Count);
            foreach (var list in _bySender.Values) heads.Enqueue((list, 0), list.Values[0].Sequence);
            while (result.Count < maxCount && heads.TryDequeue(out var head, out _))
            {
                var p = head.List.Values[head.Index];
                result.Add(p);
                if (head.Index + 1 < head.List.Count)
                {
                    var next = head.List.Values[head.Index + 1];
                    heads.Enqueue((head.List, head.Index + 1), Math.Max(next.Sequence, p.Sequence));
                }
            }
            return result;
        }
    }

    /// <summary>After a block: drops what it included or dropped, and every pending tx whose nonce is now stale.</summary>
    public void OnBlockCommitted(IEnumerable<Transaction> removed, Func<Address, uint> committedNonce)
    {
        lock (_lock)
        {
            var senders = new HashSet<Address>();
            foreach (var tx in removed)
            {
                senders.Add(tx.Sender);
                if (_byHash.TryGetValue(tx.Hash, out var p)) Remove(p);
            }
            foreach (var sender in senders)
            {
                if (!_bySender.TryGetValue(sender, out var list)) continue;
                uint nonce = committedNonce(sender);
                while (list.Count > 0 && list.Keys[0] < nonce) Remove(list.Values[0]);
            }
        }
    }

    // The first sweep is due one interval after the pool was created.
    private long _lastSweep = time.GetTimestamp();

    /// <summary>Evicts expired transactions when <see cref="ChainOptions.MempoolSweepInterval"/> has passed since the
    /// last sweep (a sweep scans the whole pool); returns how many.</summary>
    public int EvictExpiredIfDue()
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(_lastSweep, now) < options.MempoolSweepInterval) return 0;
        _lastSweep = now;
        return EvictExpired();
    }

    /// <summary>Evicts transactions that waited longer than the mempool's time to live.</summary>
    public int EvictExpired()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            var expired = _byHash.Values.Where(p => time.GetElapsedTime(p.ArrivalTicks, now) > options.MempoolTimeToLive).ToList();
            foreach (var p in expired) Remove(p);
            return expired.Count;
        }
    }

    private void Remove(PendingTransaction p)
    {
        _byHash.Remove(p.Tx.Hash);
        if (_bySender.TryGetValue(p.Tx.Sender, out var list))
        {
            list.Remove(p.Tx.Nonce);
            if (list.Count == 0) _bySender.Remove(p.Tx.Sender);
        }
        ulong cost = _pendingCost.GetValueOrDefault(p.Tx.Sender) - p.Cost;
        if (cost == 0 || list is null || list.Count == 0) _pendingCost.Remove(p.Tx.Sender);
        else _pendingCost[p.Tx.Sender] = cost;
        _bytes -= p.Tx.Size;
    }
}
