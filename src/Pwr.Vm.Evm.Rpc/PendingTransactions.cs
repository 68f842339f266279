using Pwr.Core;
using Pwr.Vm.Evm.Transactions;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>Ethereum transactions the wrapper has accepted but the VM has not executed yet: for pending nonces and lookups.</summary>
/// <remarks>Entries leave once the VM has a receipt or a rejection for them (see <see cref="Prune"/>).</remarks>
internal sealed class PendingTransactions
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Hash32, SignedTransaction> _byHash = [];
    private readonly Dictionary<Address, ulong> _nextNonce = [];

    public int Count { get { lock (_gate) return _byHash.Count; } }

    public bool Contains(in Hash32 hash) { lock (_gate) return _byHash.ContainsKey(hash); }

    public SignedTransaction? Get(in Hash32 hash) { lock (_gate) return _byHash.GetValueOrDefault(hash); }

    /// <summary>The nonce after the sender's highest pending transaction, if any.</summary>
    public ulong? NextNonce(in Address sender) { lock (_gate) return _nextNonce.TryGetValue(sender, out var n) ? n : null; }

    public void Add(SignedTransaction tx)
    {
        lock (_gate)
        {
            _byHash[tx.Hash] = tx;
            if (!_nextNonce.TryGetValue(tx.Sender, out var n) || tx.Nonce + 1 > n) _nextNonce[tx.Sender] = tx.Nonce + 1;
        }
    }

    /// <summary>Drops every transaction <paramref name="settled"/> says the VM has dealt with; a sender with none left
    /// pending gets its nonce from the state again (so one the VM rejected does not leave a gap in "pending" nonces).</summary>
    public void Prune(Func<Hash32, bool> settled)
    {
        lock (_gate)
        {
            foreach (var hash in _byHash.Keys.Where(settled).ToList()) _byHash.Remove(hash);
            foreach (var sender in _nextNonce.Keys.ToList())
                if (!_byHash.Values.Any(t => t.Sender == sender)) _nextNonce.Remove(sender);
        }
    }

    /// <summary>Forgets transactions the base layer never took (the batch was dropped).</summary>
    public void Remove(IEnumerable<Hash32> hashes) => Prune(new HashSet<Hash32>(hashes).Contains);
}
