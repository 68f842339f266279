using Pwr.Core;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Trie;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Execution;

/// <summary>A dictionary-backed <see cref="IStateBackend"/> (state tests, unit tests) that applies change sets and
/// computes the Merkle-Patricia state root from scratch.</summary>
public sealed class InMemoryStateBackend : IStateBackend
{
    private readonly Dictionary<Address, Entry> _accounts = [];
    private readonly Dictionary<Hash32, byte[]> _code = [];

    public int AccountCount => _accounts.Count;

    /// <summary>Creates or replaces an account with its code and storage.</summary>
    public void SetAccount(Address address, ulong nonce, UInt256 balance, byte[] code, IEnumerable<KeyValuePair<UInt256, UInt256>>? storage = null)
    {
        var codeHash = code.Length == 0 ? AccountState.EmptyCodeHash : Keccak.Hash256(code);
        if (code.Length > 0) _code[codeHash] = code;
        var entry = new Entry { Account = new AccountState(nonce, balance, codeHash) };
        if (storage is not null)
            foreach (var kv in storage)
                if (!kv.Value.IsZero) entry.Storage[kv.Key] = kv.Value;
        _accounts[address] = entry;
    }

    public bool TryGetAccount(in Address address, out AccountState account)
    {
        if (_accounts.TryGetValue(address, out var entry)) { account = entry.Account; return true; }
        account = default;
        return false;
    }

    public byte[] GetCode(in Hash32 codeHash) => _code.TryGetValue(codeHash, out var code) ? code : [];

    public UInt256 GetStorage(in Address address, in UInt256 slot) =>
        _accounts.TryGetValue(address, out var entry) && entry.Storage.TryGetValue(slot, out var value) ? value : default;

    public bool HasStorage(in Address address) => _accounts.TryGetValue(address, out var entry) && entry.Storage.Count > 0;

    /// <summary>Writes the changes <see cref="WorldState.CollectChanges"/> produced.</summary>
    public void Apply(IEnumerable<AccountChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Deleted) { _accounts.Remove(change.Address); continue; }
            if (!_accounts.TryGetValue(change.Address, out var entry) || change.StorageCleared)
            {
                var fresh = new Entry();
                if (entry is not null && !change.StorageCleared)
                    foreach (var kv in entry.Storage) fresh.Storage[kv.Key] = kv.Value;
                entry = fresh;
                _accounts[change.Address] = entry;
            }
            entry.Account = new AccountState(change.Nonce, change.Balance, change.CodeHash);
            if (change.Code is not null && change.Code.Length > 0) _code[change.CodeHash] = change.Code;
            foreach (var kv in change.Storage)
            {
                if (kv.Value.IsZero) entry.Storage.Remove(kv.Key);
                else entry.Storage[kv.Key] = kv.Value;
            }
        }
    }

    /// <summary>The Ethereum state root: keccak(address) → rlp([nonce, balance, storageRoot, codeHash]).</summary>
    public Hash32 ComputeStateRoot()
    {
        var leaves = new List<KeyValuePair<byte[], byte[]>>(_accounts.Count);
        foreach (var (address, entry) in _accounts)
        {
            var storageRoot = StorageRoot(entry.Storage);
            var value = RlpCodec.EncodeList(
                RlpCodec.EncodeUInt64(entry.Account.Nonce),
                RlpCodec.EncodeBytes(entry.Account.Balance.ToTrimmedBigEndian()),
                RlpCodec.EncodeBytes(storageRoot.ToArray()),
                RlpCodec.EncodeBytes(entry.Account.CodeHash.ToArray()));
            leaves.Add(new(Keccak.Hash256(address.ToArray()).ToArray(), value));
        }
        return PatriciaRoot.Compute(leaves);
    }

    private static Hash32 StorageRoot(Dictionary<UInt256, UInt256> storage)
    {
        if (storage.Count == 0) return PatriciaRoot.Empty;
        var leaves = new List<KeyValuePair<byte[], byte[]>>(storage.Count);
        foreach (var (slot, value) in storage)
            leaves.Add(new(Keccak.Hash256(slot.ToBigEndian()).ToArray(), RlpCodec.EncodeBytes(value.ToTrimmedBigEndian())));
        return PatriciaRoot.Compute(leaves);
    }

    private sealed class Entry
    {
        public AccountState Account;
        public readonly Dictionary<UInt256, UInt256> Storage = [];
    }
}
