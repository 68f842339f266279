using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Journaled in-memory EVM state over an <see cref="IStateBackend"/>: snapshots and reverts, original
/// storage values (EIP-2200/3529), transient storage (EIP-1153), warm sets (EIP-2929), accounts created in the
/// transaction (EIP-6780), touched accounts (EIP-161), refunds and logs; yields the changed accounts of a block.</summary>
public sealed class WorldState
{
    private readonly IStateBackend _backend;
    private readonly Dictionary<Address, StateObject> _objects = [];
    private readonly Dictionary<Hash32, CodeInfo> _codeCache = [];
    private readonly CodeInfoCache? _sharedCodes;
    private readonly List<JournalEntry> _journal = [];
    // EIP-2929 warm sets as marks on the account objects and storage slots: a mark counts only when it equals the
    // current transaction's number, so ending a transaction empties both sets in O(1), and warming a slot costs no
    // lookup beyond the one that reads it.
    private long _txNumber = 1;
    private readonly Dictionary<(Address, UInt256), UInt256> _transient = [];
    // Accounts written in the transaction / since the last CollectChanges; flags on the objects keep them unique
    // without hashing the address on every write.
    private readonly List<StateObject> _txDirty = [];
    private readonly List<StateObject> _blockDirty = [];
    private readonly List<LogEntry> _logs = [];
    // Account objects dropped by CollectChanges, reused (with their dictionaries' capacity) by the next Get.
    private readonly Stack<StateObject> _spareObjects = [];
    private StateObject? _last;
    private const int MaxSpareObjects = 4096;

    /// <param name="backend">The state below this one.</param>
    /// <param name="sharedCodes">Code shared with other world states (the blocks before and after this one), if any.</param>
    public WorldState(IStateBackend backend, CodeInfoCache? sharedCodes = null)
    {
        _backend = backend;
        _sharedCodes = sharedCodes;
    }

    /// <summary>The refund counter of the current transaction (EIP-3529 caps what is paid back).</summary>
    public long Refund { get; private set; }

    /// <summary>Logs emitted so far in the current transaction (reverted frames removed).</summary>
    public IReadOnlyList<LogEntry> Logs => _logs;

    /// <summary>A copy of the current transaction's logs.</summary>
    public LogEntry[] CopyLogs() => _logs.ToArray();

    // ---------------- accounts ----------------

    private StateObject Get(in Address address)
    {
        // Runs of accesses hit one account (the sender while buying gas, the contract in SLOAD/SSTORE): the last one
        // found skips hashing the address.
        if (_last is { } last && last.Address == address) return last;
        if (_objects.TryGetValue(address, out var obj)) return _last = obj;
        obj = _spareObjects.TryPop(out var spare) ? spare.Reuse(address) : new StateObject(address);
        if (_backend.TryGetAccount(address, out var account))
        {
            obj.Exists = true;
            obj.Nonce = account.Nonce;
            obj.Balance = account.Balance;
            obj.CodeHash = account.CodeHash;
        }
        _objects[address] = obj;
        return _last = obj;
    }

    private StateObject GetForWrite(in Address address)
    {
        var obj = Get(address);
        if (!obj.TxDirty)
        {
            obj.TxDirty = true;
            _txDirty.Add(obj);
        }
        return obj;
    }

    /// <summary>True when the account is in the state (possibly empty).</summary>
    public bool Exists(in Address address) => Get(address).Exists;

    /// <summary>EIP-161 "dead": absent, or present with no nonce, balance or code.</summary>
    public bool IsDead(in Address address)
    {
        var o = Get(address);
        return !o.Exists || o.IsEmpty;
    }

    public UInt256 GetBalance(in Address address) => Get(address).Balance;

    public ulong GetNonce(in Address address) => Get(address).Nonce;

    public Hash32 GetCodeHash(in Address address) => Get(address).CodeHash;

    public CodeInfo GetCode(in Address address)
    {
        var o = Get(address);
        if (o.Code is not null) return o.Code;
        o.Code = LoadCode(o.CodeHash);
        return o.Code;
    }

    private CodeInfo LoadCode(in Hash32 codeHash)
    {
        if (codeHash == AccountState.EmptyCodeHash) return CodeInfo.Empty;
        if (_codeCache.TryGetValue(codeHash, out var info)) return info;
        if (_sharedCodes is null || !_sharedCodes.TryGet(codeHash, out info))
        {
            info = new CodeInfo(_backend.GetCode(codeHash), codeHash);
            _sharedCodes?.Add(info);
        }
        _codeCache[codeHash] = info;
        return info;
    }

    /// <summary>Marks an account touched (EIP-161: deleted at the end of the transaction if then empty).</summary>
    public void Touch(in Address address) => Touch(GetForWrite(address));

    private void Touch(StateObject o)
    {
        if (o.TouchedIn == _txNumber) return;
        o.TouchedIn = _txNumber;
        _journal.Add(new JournalEntry(JournalKind.Touch, o.Address));
    }

    public void AddBalance(in Address address, in UInt256 amount)
    {
        var o = GetForWrite(address);
        Touch(o);
        if (amount.IsZero) return;
        _journal.Add(new JournalEntry(JournalKind.Balance, address) { OldValue = o.Balance, OldFlag = o.Exists });
        o.Balance = UInt256.Add(o.Balance, amount);
        o.Exists = true;
    }

    public void SubtractBalance(in Address address, in UInt256 amount)
    {
        var o = GetForWrite(address);
        Touch(o);
        if (amount.IsZero) return;
        _journal.Add(new JournalEntry(JournalKind.Balance, address) { OldValue = o.Balance, OldFlag = o.Exists });
        o.Balance = UInt256.Subtract(o.Balance, amount);
        o.Exists = true;
    }

    public void SetNonce(in Address address, ulong nonce)
    {
        var o = GetForWrite(address);
        Touch(o);
        _journal.Add(new JournalEntry(JournalKind.Nonce, address) { OldNonce = o.Nonce, OldFlag = o.Exists });
        o.Nonce = nonce;
        o.Exists = true;
    }

    public void SetCode(in Address address, byte[] code)
    {
        var o = GetForWrite(address);
        Touch(o);
        _journal.Add(new JournalEntry(JournalKind.Code, address) { OldCode = o.Code, OldHash = o.CodeHash, OldFlag = o.CodeChanged });
        var hash = code.Length == 0 ? AccountState.EmptyCodeHash : Keccak.Hash256(code);
        o.CodeHash = hash;
        o.Code = code.Length == 0 ? CodeInfo.Empty : new CodeInfo(code, hash);
        o.CodeChanged = true;
        o.Exists = true;
    }

    /// <summary>Starts a new contract at <paramref name="address"/> (CREATE): keeps its balance, drops any storage.</summary>
    public void CreateAccount(in Address address)
    {
        var o = GetForWrite(address);
        Touch(o);
        _journal.Add(new JournalEntry(JournalKind.Create, address)
        {
            OldFlag = o.Exists,
            OldStorageCleared = o.StorageCleared,
            OldStorage = o.Storage.Count == 0 ? null : new Dictionary<UInt256, StorageSlot>(o.Storage),
        });
        o.Exists = true;
        // Without EIP-7610 storage could survive a create; clearing keeps a recreated account consistent.
        if (_backend.HasStorage(address) || o.Storage.Count != 0)
        {
            o.StorageCleared = true;
            ClearStorageKeepingWarmth(o);
        }
        if (o.CreatedIn != _txNumber)
        {
            o.CreatedIn = _txNumber;
            _journal.Add(new JournalEntry(JournalKind.Created, address));
        }
    }

    /// <summary>Drops an account's storage but not the slots' EIP-2929 warmth, which belongs to the transaction: warm
    /// slots stay as zero entries, the value a cleared account's slot reads anyway.</summary>
    private void ClearStorageKeepingWarmth(StateObject o)
    {
        List<UInt256>? warm = null;
        foreach (var (key, slot) in o.Storage)
            if (slot.WarmIn == _txNumber) (warm ??= []).Add(key);
        o.Storage.Clear();
        if (warm is null) return;
        foreach (var key in warm) o.Storage[key] = new StorageSlot { WarmIn = _txNumber };
    }

    /// <summary>True when the account was created by the current transaction (EIP-6780).</summary>
    public bool WasCreatedInTransaction(in Address address) => Get(address).CreatedIn == _txNumber;

    /// <summary>Marks the account for deletion at the end of the transaction (EIP-6780 SELFDESTRUCT of a new contract).</summary>
    public void MarkDestructed(in Address address)
    {
        var o = GetForWrite(address);
        if (o.DestructedIn == _txNumber) return;
        o.DestructedIn = _txNumber;
        _journal.Add(new JournalEntry(JournalKind.Destruct, address));
    }

    /// <summary>True when the account would collide with a new contract: it has a nonce, code or storage.</summary>
    public bool HasCollision(in Address address)
    {
        var o = Get(address);
        if (o.Nonce != 0 || o.CodeHash != AccountState.EmptyCodeHash) return true;
        foreach (var slot in o.Storage.Values)
            if (!slot.Current.IsZero) return true;
        return !o.StorageCleared && o.Exists && _backend.HasStorage(address);
    }

    // ---------------- storage ----------------

    private ref StorageSlot Slot(StateObject o, in UInt256 key)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(o.Storage, key, out bool existed);
        if (!existed)
        {
            var value = o.StorageCleared || !o.Exists ? UInt256.Zero : _backend.GetStorage(o.Address, key);
            slot.Original = value;
            slot.Current = value;
        }
        return ref slot;
    }

    public UInt256 GetStorage(in Address address, in UInt256 key) => Slot(Get(address), key).Current;

    public void SetStorage(in Address address, in UInt256 key, in UInt256 value)
    {
        var o = GetForWrite(address);
        ref var slot = ref Slot(o, key);
        _journal.Add(new JournalEntry(JournalKind.Storage, address) { Key = key, OldValue = slot.Current });
        slot.Current = value;
    }

    public UInt256 GetTransient(in Address address, in UInt256 key) =>
        _transient.TryGetValue((address, key), out var v) ? v : default;

    public void SetTransient(in Address address, in UInt256 key, in UInt256 value)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_transient, (address, key), out _);
        _journal.Add(new JournalEntry(JournalKind.Transient, address) { Key = key, OldValue = slot });
        slot = value;
    }

    // ---------------- access lists (EIP-2929) ----------------

    /// <summary>Warms an address; returns true when it was cold. Precompiles are always warm (EIP-2929: every
    /// transaction starts with them in its access list), so they never enter the set or the journal.</summary>
    public bool WarmAccount(in Address address)
    {
        if (address.SmallId(Precompiles.PrecompileSet.Count) != 0) return false;
        var o = Get(address);
        if (o.WarmIn == _txNumber) return false;
        o.WarmIn = _txNumber;
        _journal.Add(new JournalEntry(JournalKind.WarmAccount, address));
        return true;
    }

    public bool IsWarm(in Address address) =>
        address.SmallId(Precompiles.PrecompileSet.Count) != 0 || Get(address).WarmIn == _txNumber;

    /// <summary>Warms a storage slot; returns true when it was cold.</summary>
    public bool WarmSlot(in Address address, in UInt256 key) => Warm(ref Slot(Get(address), key), address, key);

    /// <summary>A slot's current value without warming it (tracers read state this way, leaving gas untouched).</summary>
    public UInt256 PeekStorage(in Address address, in UInt256 key) => Slot(Get(address), key).Current;

    /// <summary>SLOAD: the slot's value, warming it; <paramref name="wasCold"/> tells the gas rule which price applies.</summary>
    public UInt256 LoadStorage(in Address address, in UInt256 key, out bool wasCold)
    {
        ref var slot = ref Slot(Get(address), key);
        wasCold = Warm(ref slot, address, key);
        return slot.Current;
    }

    /// <summary>SSTORE's reads in one lookup: warms the slot and gives its current and original (transaction start) value.</summary>
    public UInt256 LoadStorageForWrite(in Address address, in UInt256 key, out UInt256 original, out bool wasCold)
    {
        ref var slot = ref Slot(Get(address), key);
        wasCold = Warm(ref slot, address, key);
        original = slot.Original;
        return slot.Current;
    }

    private bool Warm(ref StorageSlot slot, in Address address, in UInt256 key)
    {
        if (slot.WarmIn == _txNumber) return false;
        slot.WarmIn = _txNumber;
        _journal.Add(new JournalEntry(JournalKind.WarmSlot, address) { Key = key });
        return true;
    }

    // ---------------- refunds and logs ----------------

    public void AddRefund(long amount)
    {
        _journal.Add(new JournalEntry(JournalKind.Refund, default) { OldRefund = Refund });
        Refund += amount;
    }

    public void AddLog(LogEntry log)
    {
        _journal.Add(new JournalEntry(JournalKind.Log, default));
        _logs.Add(log);
    }

    // ---------------- snapshots ----------------

    public int Snapshot() => _journal.Count;

    /// <summary>Undoes every change made since <paramref name="snapshot"/>.</summary>
    public void Revert(int snapshot)
    {
        for (int i = _journal.Count - 1; i >= snapshot; i--)
        {
            var e = _journal[i];
            switch (e.Kind)
            {
                case JournalKind.Balance:
                    { var o = _objects[e.Address]; o.Balance = e.OldValue; o.Exists = e.OldFlag; break; }
                case JournalKind.Nonce:
                    { var o = _objects[e.Address]; o.Nonce = e.OldNonce; o.Exists = e.OldFlag; break; }
                case JournalKind.Code:
                    { var o = _objects[e.Address]; o.Code = e.OldCode; o.CodeHash = e.OldHash; o.CodeChanged = e.OldFlag; break; }
                case JournalKind.Create:
                    {
                        var o = _objects[e.Address];
                        o.Exists = e.OldFlag;
                        if (o.StorageCleared != e.OldStorageCleared || e.OldStorage is not null)
                        {
                            o.StorageCleared = e.OldStorageCleared;
                            o.Storage.Clear();
                            if (e.OldStorage is not null)
                                foreach (var kv in e.OldStorage) o.Storage[kv.Key] = kv.Value;
                        }
                        break;
                    }
                case JournalKind.Storage:
                    {
                        var o = _objects[e.Address];
                        CollectionsMarshal.GetValueRefOrNullRef(o.Storage, e.Key).Current = e.OldValue;
                        break;
                    }
                case JournalKind.Transient: _transient[(e.Address, e.Key)] = e.OldValue; break;
                case JournalKind.Touch: _objects[e.Address].TouchedIn = 0; break;
                case JournalKind.WarmAccount: _objects[e.Address].WarmIn = 0; break;
                case JournalKind.WarmSlot:
                    {
                        ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_objects[e.Address].Storage, e.Key);
                        if (!Unsafe.IsNullRef(ref slot)) slot.WarmIn = 0;
                        break;
                    }
                case JournalKind.Refund: Refund = e.OldRefund; break;
                case JournalKind.Log: _logs.RemoveAt(_logs.Count - 1); break;
                case JournalKind.Destruct: _objects[e.Address].DestructedIn = 0; break;
                case JournalKind.Created: _objects[e.Address].CreatedIn = 0; break;
            }
        }
        _journal.RemoveRange(snapshot, _journal.Count - snapshot);
    }

    // ---------------- transaction and block boundaries ----------------

    /// <summary>Ends a transaction: deletes self-destructed and touched-empty accounts (EIP-6780, EIP-161), makes the
    /// current storage the new original values and clears the journal, warm sets, transient storage and logs.</summary>
    public void FinalizeTransaction()
    {
        foreach (var o in _txDirty)
        {
            o.TxDirty = false;
            if (o.DestructedIn == _txNumber || (o.TouchedIn == _txNumber && o.IsEmpty))
            {
                o.Exists = false;
                o.Nonce = 0;
                o.Balance = default;
                o.CodeHash = AccountState.EmptyCodeHash;
                o.Code = CodeInfo.Empty;
                o.CodeChanged = false;
                o.StorageCleared = true;
                o.Storage.Clear();
                o.DirtySlots.Clear();
            }
            else
            {
                // Only written slots need a second lookup (a ref write does not invalidate the enumeration).
                foreach (var (key, slot) in o.Storage)
                {
                    if (slot.Original == slot.Current) continue;
                    CollectionsMarshal.GetValueRefOrNullRef(o.Storage, key).Original = slot.Current;
                    o.DirtySlots.Add(key);
                }
            }
            if (!o.BlockDirty)
            {
                o.BlockDirty = true;
                _blockDirty.Add(o);
            }
        }
        _txDirty.Clear();
        _journal.Clear();
        _txNumber++;
        _transient.Clear();
        _logs.Clear();
        Refund = 0;
    }

    /// <summary>Discards everything since the last <see cref="FinalizeTransaction"/> (an invalid transaction).</summary>
    public void DiscardTransaction()
    {
        Revert(0);
        foreach (var o in _txDirty) o.TxDirty = false;
        _txDirty.Clear();
        _txNumber++;
        _transient.Clear();
        _logs.Clear();
        Refund = 0;
    }

    /// <summary>The accounts changed since the last call, in address order, to write to the backend.</summary>
    public List<AccountChange> CollectChanges()
    {
        _blockDirty.Sort(static (a, b) => a.Address.CompareTo(b.Address));
        var changes = new List<AccountChange>(_blockDirty.Count);
        foreach (var o in _blockDirty)
        {
            o.BlockDirty = false;
            var address = o.Address;
            var storage = new List<KeyValuePair<UInt256, UInt256>>(o.DirtySlots.Count);
            foreach (var key in o.DirtySlots) storage.Add(new(key, o.Storage[key].Current));
            storage.Sort((a, b) => a.Key.CompareTo(b.Key));
            changes.Add(new AccountChange(address, !o.Exists, o.Nonce, o.Balance, o.CodeHash,
                o.CodeChanged ? o.Code!.Code : null, o.StorageCleared, storage));
            o.DirtySlots.Clear();
            o.CodeChanged = false;
        }
        _blockDirty.Clear();
        // The backend now holds these values; dropping the cache keeps it from serving stale "cleared" flags.
        foreach (var o in _objects.Values)
            if (_spareObjects.Count < MaxSpareObjects) _spareObjects.Push(o);
        _objects.Clear();
        _last = null;
        return changes;
    }

    private sealed class StateObject(Address address)
    {
        public Address Address = address;
        public ulong Nonce;
        public UInt256 Balance;
        public Hash32 CodeHash = AccountState.EmptyCodeHash;
        public CodeInfo? Code;
        public bool Exists;
        public bool CodeChanged;
        public bool StorageCleared;
        public bool TxDirty, BlockDirty;
        /// <summary>The number of the transaction that warmed (EIP-2929), touched (EIP-161), created (EIP-6780) or
        /// self-destructed this account; a mark means something only while it equals the current number.</summary>
        public long WarmIn, TouchedIn, CreatedIn, DestructedIn;
        public readonly Dictionary<UInt256, StorageSlot> Storage = [];
        public readonly HashSet<UInt256> DirtySlots = [];

        public bool IsEmpty => Nonce == 0 && Balance.IsZero && CodeHash == AccountState.EmptyCodeHash;

        /// <summary>Resets a dropped object to a fresh, absent account at <paramref name="address"/>.</summary>
        public StateObject Reuse(Address address)
        {
            Address = address;
            Nonce = 0;
            Balance = default;
            CodeHash = AccountState.EmptyCodeHash;
            Code = null;
            Exists = false;
            CodeChanged = false;
            StorageCleared = false;
            TxDirty = false;
            BlockDirty = false;
            WarmIn = TouchedIn = CreatedIn = DestructedIn = 0;
            Storage.Clear();
            DirtySlots.Clear();
            return this;
        }
    }

    private struct StorageSlot
    {
        public UInt256 Original;
        public UInt256 Current;
        /// <summary>The number of the transaction that warmed this slot (EIP-2929).</summary>
        public long WarmIn;
    }

    private enum JournalKind : byte
    {
        Balance, Nonce, Code, Create, Storage, Transient, Touch, WarmAccount, WarmSlot, Refund, Log, Destruct, Created,
    }

    /// <summary>One undo record. Kinds share fields (nonce and refund one scalar, old code and old storage one
    /// reference, the old code hash the key), which keeps the entry small: it is written for every state change.</summary>
    private readonly struct JournalEntry(JournalKind kind, Address address)
    {
        public readonly JournalKind Kind = kind;
        public readonly Address Address = address;
        private readonly bool _flag, _flag2;
        private readonly long _scalar;
        private readonly object? _ref;
        public UInt256 Key { get; init; }
        public UInt256 OldValue { get; init; }
        public ulong OldNonce { get => (ulong)_scalar; init => _scalar = (long)value; }
        public bool OldFlag { get => _flag; init => _flag = value; }
        public bool OldStorageCleared { get => _flag2; init => _flag2 = value; }
        public CodeInfo? OldCode { get => (CodeInfo?)_ref; init => _ref = value; }
        public Hash32 OldHash
        {
            get { Span<byte> b = stackalloc byte[32]; Key.WriteBigEndian(b); return new Hash32(b); }
            init { Span<byte> b = stackalloc byte[32]; value.WriteTo(b); Key = new UInt256(b); }
        }
        public long OldRefund { get => _scalar; init => _scalar = value; }
        public Dictionary<UInt256, StorageSlot>? OldStorage { get => (Dictionary<UInt256, StorageSlot>?)_ref; init => _ref = value; }
    }
}
