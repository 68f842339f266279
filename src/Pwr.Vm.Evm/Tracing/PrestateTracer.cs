using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Tracing;

/// <summary>An account as geth's prestateTracer reports it: a null field is left out of the JSON.</summary>
public sealed class PrestateAccount
{
    public UInt256? Balance { get; set; }
    public ulong Nonce { get; set; }
    public byte[]? Code { get; set; }
    /// <summary>Set only for accounts with code, as geth does.</summary>
    public Hash32? CodeHash { get; set; }
    /// <summary>Slot → value, in key order; null when storage is not reported.</summary>
    public SortedDictionary<UInt256, UInt256>? Storage { get; set; }
    internal bool Empty { get; set; }
}

/// <summary>
/// geth's prestateTracer: every account and storage slot a transaction looked at, as it was before the transaction
/// (from, to, coinbase, and the targets of BALANCE, EXTCODE*, CALL*, CREATE*, SELFDESTRUCT, SLOAD and SSTORE). In diff
/// mode only what changed, before (<see cref="Pre"/>) and after (<see cref="Post"/>). One transaction per instance.
/// </summary>
public sealed class PrestateTracer(bool diffMode = false, bool disableCode = false, bool disableStorage = false)
{
    private readonly Dictionary<Address, PrestateAccount> _pre = [];
    private readonly HashSet<Address> _created = [];

    public bool DiffMode => diffMode;

    /// <summary>True once a transaction ran to its end with this tracer attached (an invalid one never starts).</summary>
    public bool Finished { get; private set; }

    /// <summary>Accounts before the transaction, in address order; filled by <see cref="Finish"/>.</summary>
    public SortedDictionary<Address, PrestateAccount> Pre { get; } = [];

    /// <summary>Diff mode: the changed fields after the transaction; empty otherwise.</summary>
    public SortedDictionary<Address, PrestateAccount> Post { get; } = [];

    internal void LookupAccount(WorldState state, in Address address)
    {
        if (_pre.ContainsKey(address)) return;
        var code = state.GetCode(address).Code;
        var account = new PrestateAccount
        {
            Balance = state.GetBalance(address),
            Nonce = state.GetNonce(address),
            Code = disableCode ? null : code,
            CodeHash = disableCode || code.Length == 0 ? null : state.GetCodeHash(address),
            Storage = disableStorage ? null : new SortedDictionary<UInt256, UInt256>(),
        };
        account.Empty = account.Nonce == 0 && account.Balance.Value.IsZero && code.Length == 0;
        _pre[address] = account;
    }

    internal void LookupStorage(WorldState state, in Address address, in UInt256 key)
    {
        LookupAccount(state, address);
        if (_pre[address].Storage is { } storage && !storage.ContainsKey(key)) storage[key] = state.PeekStorage(address, key);
    }

    /// <summary>An address a CREATE, CREATE2 or a creating transaction deploys to: left out of the result if it was empty before.</summary>
    internal void Created(in Address address) => _created.Add(address);

    /// <summary>Builds the result from the state after the transaction (its fees paid, its changes final).</summary>
    internal void Finish(WorldState state)
    {
        Finished = true;
        foreach (var (address, account) in _pre)
        {
            // A contract deployed to an empty address had no state before: it is left out of pre (and shows in post).
            bool newlyCreated = account.Empty && _created.Contains(address);
            if (!diffMode)
            {
                if (!newlyCreated) Pre[address] = account;
                continue;
            }
            if (Diff(state, address, account) is { } post)
            {
                if (!newlyCreated) Pre[address] = account;
                // A deleted account stays in pre and is left out of post.
                if (state.Exists(address)) Post[address] = post;
            }
        }
    }

    private PrestateAccount? Diff(WorldState state, in Address address, PrestateAccount pre)
    {
        bool modified = false;
        var post = new PrestateAccount { Storage = disableStorage ? null : new SortedDictionary<UInt256, UInt256>() };
        var balance = state.GetBalance(address);
        if (!balance.Equals(pre.Balance!.Value)) { modified = true; post.Balance = balance; }
        ulong nonce = state.GetNonce(address);
        if (nonce != pre.Nonce) { modified = true; post.Nonce = nonce; }
        if (!disableCode)
        {
            var code = state.GetCode(address).Code;
            if (!code.AsSpan().SequenceEqual(pre.Code)) { modified = true; post.Code = code; post.CodeHash = state.GetCodeHash(address); }
        }
        if (pre.Storage is { } storage)
        {
            foreach (var (key, before) in storage.ToArray())
            {
                var after = state.PeekStorage(address, key);
                // Unchanged slots and zero "before" values are left out of pre; zero "after" values out of post.
                if (before.Equals(after) || before.IsZero) storage.Remove(key);
                if (before.Equals(after)) continue;
                modified = true;
                if (!after.IsZero) post.Storage![key] = after;
            }
        }
        return modified ? post : null;
    }
}
