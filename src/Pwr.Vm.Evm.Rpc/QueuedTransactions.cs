using Pwr.Core;
using Pwr.Vm.Evm.Transactions;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>
/// Transactions with a future nonce (a gap before them), held back as geth's "queued" pool does: the wrapper sends a
/// transaction to the base layer only once every lower nonce of its sender is pending or executed, because the VM
/// would reject a gap at execution. Clients that submit concurrently (several batches in flight) rely on this.
/// </summary>
/// <remarks>Not thread-safe: the handler calls it under its admission lock.</remarks>
internal sealed class QueuedTransactions(int maxPerSender, int maxTotal)
{
    private readonly Dictionary<Address, SortedList<ulong, (SignedTransaction Tx, byte[] Raw)>> _bySender = [];
    private readonly Dictionary<Hash32, SignedTransaction> _byHash = [];

    public int Count => _byHash.Count;

    public bool Contains(in Hash32 hash) => _byHash.ContainsKey(hash);

    public SignedTransaction? Get(in Hash32 hash) => _byHash.GetValueOrDefault(hash);

    /// <summary>Every queued transaction (txpool_content).</summary>
    public List<SignedTransaction> Snapshot() => [.. _byHash.Values];

    public SignedTransaction? WithNonce(in Address sender, ulong nonce)
        => _bySender.TryGetValue(sender, out var list) && list.TryGetValue(nonce, out var e) ? e.Tx : null;

    /// <summary>Holds a future transaction; an error message (geth's wording) when a limit is reached.</summary>
    public string? TryAdd(SignedTransaction tx, byte[] raw)
    {
        if (_byHash.Count >= maxTotal) return "txpool is full";
        if (!_bySender.TryGetValue(tx.Sender, out var list)) _bySender[tx.Sender] = list = [];
        if (list.Count >= maxPerSender) return $"account limit exceeded: {maxPerSender} queued transactions of {tx.Sender} wait for a lower nonce";
        list.Add(tx.Nonce, (tx, raw));
        _byHash.Add(tx.Hash, tx);
        return null;
    }

    /// <summary>Removes and returns the sender's queued transaction with exactly <paramref name="nonce"/>, dropping stale ones below it.</summary>
    public (SignedTransaction Tx, byte[] Raw)? TakeNext(in Address sender, ulong nonce)
    {
        if (!_bySender.TryGetValue(sender, out var list)) return null;
        while (list.Count > 0 && list.Keys[0] < nonce) Remove(sender, list, 0);
        (SignedTransaction, byte[])? next = null;
        if (list.Count > 0 && list.Keys[0] == nonce)
        {
            next = list.Values[0];
            Remove(sender, list, 0);
        }
        if (list.Count == 0) _bySender.Remove(sender);
        return next;
    }

    private void Remove(Address sender, SortedList<ulong, (SignedTransaction Tx, byte[] Raw)> list, int index)
    {
        _byHash.Remove(list.Values[index].Tx.Hash);
        list.RemoveAt(index);
        if (list.Count == 0) _bySender.Remove(sender);
    }
}
