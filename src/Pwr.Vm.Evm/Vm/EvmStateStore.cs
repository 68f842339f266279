using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Rlp;
using Pwr.Vm.Evm.Trie;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Vm;

/// <summary>
/// The EVM's accounts, storage and code over a VM's key/value state: an account trie keyed by keccak(address) and one
/// storage trie per account, maintained incrementally (only touched paths are rewritten), so the root is Ethereum's.
/// </summary>
/// <remarks>Over an <see cref="IVmStateReader"/> it serves reads (RPC); over an <see cref="IVmState"/> it can also
/// <see cref="Apply"/> a block's changes. Reads see the root this instance was opened at.</remarks>
public sealed class EvmStateStore : IStateBackend
{
    private readonly IVmStateReader _state;
    private readonly VmStateTrieNodeStore _nodes;

    public EvmStateStore(IVmStateReader state, Hash32? root = null)
    {
        _state = state;
        _nodes = new VmStateTrieNodeStore(state, EvmStateKeys.NodePrefix);
        Root = root ?? ReadRoot(state) ?? PatriciaRoot.Empty;
    }

    /// <summary>The state root reads are answered from.</summary>
    public Hash32 Root { get; private set; }

    /// <summary>The committed state root recorded in <paramref name="state"/>, or null before genesis.</summary>
    public static Hash32? ReadRoot(IVmStateReader state) => state.Get(EvmStateKeys.StateRoot) is { Length: Hash32.Size } r ? new Hash32(r) : null;

    public bool TryGetAccount(in Address address, out AccountState account)
    {
        if (TryGetRecord(address, out var record)) { account = record.Account; return true; }
        account = default;
        return false;
    }

    public byte[] GetCode(in Hash32 codeHash)
        => codeHash == AccountState.EmptyCodeHash ? [] : _state.Get(EvmStateKeys.Code(codeHash)) ?? [];

    public UInt256 GetStorage(in Address address, in UInt256 slot)
    {
        if (!TryGetRecord(address, out var record) || record.StorageRoot == PatriciaRoot.Empty) return default;
        return DecodeSlot(new PatriciaTrie(_nodes, record.StorageRoot).Get(SlotKey(slot)));
    }

    public bool HasStorage(in Address address) => TryGetRecord(address, out var record) && record.StorageRoot != PatriciaRoot.Empty;

    /// <summary>
    /// EIP-1186 (eth_getProof): the account's record with its Merkle proof under <see cref="Root"/>, and each slot's value
    /// with its proof under the account's storage root. Absence is proved too (an absent account has no storage proofs).
    /// </summary>
    public AccountProof Prove(in Address address, IReadOnlyList<UInt256> slots)
    {
        var accounts = new PatriciaTrie(_nodes, Root);
        var key = AccountKey(address);
        var accountNodes = accounts.GetProof(key);
        bool exists = TryDecode(accounts.Get(key), out var record);
        var storageTrie = exists && record.StorageRoot != PatriciaRoot.Empty ? new PatriciaTrie(_nodes, record.StorageRoot) : null;
        var storage = new StorageProof[slots.Count];
        for (int i = 0; i < slots.Count; i++)
        {
            if (storageTrie is null) { storage[i] = new StorageProof(slots[i], UInt256.Zero, []); continue; }
            var slotKey = SlotKey(slots[i]);
            storage[i] = new StorageProof(slots[i], DecodeSlot(storageTrie.Get(slotKey)), storageTrie.GetProof(slotKey));
        }
        return new AccountProof(exists ? record.Account : null, exists ? record.StorageRoot : PatriciaRoot.Empty, accountNodes, storage);
    }

    /// <summary>Writes a block's changes (from <see cref="WorldState.CollectChanges"/>) through <paramref name="state"/> and records the new root.</summary>
    public Hash32 Apply(IReadOnlyList<AccountChange> changes, IVmState state)
    {
        if (!ReferenceEquals(state, _state)) throw new ArgumentException("apply through the state this store was opened over", nameof(state));
        var accounts = new PatriciaTrie(_nodes, Root);
        foreach (var change in changes)
        {
            var key = AccountKey(change.Address);
            if (change.Deleted)
            {
                accounts.Delete(key);
                continue;
            }
            var storageRoot = PatriciaRoot.Empty;
            if (!change.StorageCleared && TryDecode(accounts.Get(key), out var existing)) storageRoot = existing.StorageRoot;
            if (change.Storage.Count > 0)
            {
                var storage = new PatriciaTrie(_nodes, storageRoot);
                foreach (var (slot, value) in change.Storage)
                {
                    var slotKey = SlotKey(slot);
                    if (value.IsZero) storage.Delete(slotKey);
                    else storage.Set(slotKey, RlpCodec.EncodeBytes(value.ToTrimmedBigEndian()));
                }
                storageRoot = storage.CommitToStore();
            }
            if (change.Code is { Length: > 0 } code) state.Set(EvmStateKeys.Code(change.CodeHash), code);
            accounts.Set(key, Encode(change.Nonce, change.Balance, storageRoot, change.CodeHash));
        }
        Root = accounts.CommitToStore();
        state.Set(EvmStateKeys.StateRoot, Root.ToArray());
        return Root;
    }

    /// <summary>Ethereum's account encoding: rlp([nonce, balance, storageRoot, codeHash]).</summary>
    public static byte[] Encode(ulong nonce, UInt256 balance, Hash32 storageRoot, Hash32 codeHash) => RlpCodec.EncodeList(
        RlpCodec.EncodeUInt64(nonce),
        RlpCodec.EncodeBytes(balance.ToTrimmedBigEndian()),
        RlpCodec.EncodeBytes(storageRoot.ToArray()),
        RlpCodec.EncodeBytes(codeHash.ToArray()));

    private bool TryGetRecord(in Address address, out AccountRecord record)
        => TryDecode(new PatriciaTrie(_nodes, Root).Get(AccountKey(address)), out record);

    // The secure trie's keys: keccak of the address, keccak of the 32-byte slot.
    private static byte[] AccountKey(in Address address) => Keccak.Hash256(address.ToArray()).ToArray();
    private static byte[] SlotKey(in UInt256 slot) => Keccak.Hash256(slot.ToBigEndian()).ToArray();

    /// <summary>A storage trie value (rlp of the trimmed word) as a word; absent is zero.</summary>
    private static UInt256 DecodeSlot(byte[]? value)
        => value is not null && new RlpReader(value).TryReadInteger(32, out var bytes) ? new UInt256(bytes) : default;

    private static bool TryDecode(byte[]? value, out AccountRecord record)
    {
        record = default;
        if (value is null) return false;
        var reader = new RlpReader(value);
        if (!reader.TryReadList(out var items) || !items.TryReadUInt64(out ulong nonce) || !items.TryReadInteger(32, out var balance)
            || !items.TryReadFixed(Hash32.Size, out var storageRoot) || !items.TryReadFixed(Hash32.Size, out var codeHash))
            throw new InvalidDataException("corrupt account record in the EVM state trie");
        record = new AccountRecord(new AccountState(nonce, new UInt256(balance), new Hash32(codeHash)), new Hash32(storageRoot));
        return true;
    }

    private readonly record struct AccountRecord(AccountState Account, Hash32 StorageRoot);
}

/// <summary>An account (null when absent) and its proof under a state root; see <see cref="EvmStateStore.Prove"/>.</summary>
public sealed record AccountProof(AccountState? Account, Hash32 StorageRoot, IReadOnlyList<byte[]> AccountNodes, IReadOnlyList<StorageProof> Storage);

/// <summary>One storage slot's value (zero when absent) and its proof under the account's storage root.</summary>
public sealed record StorageProof(UInt256 Slot, UInt256 Value, IReadOnlyList<byte[]> Nodes);
