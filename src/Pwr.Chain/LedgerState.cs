using System.Buffers.Binary;
using System.Collections.Concurrent;
using Pwr.Core;
using Pwr.Storage;

namespace Pwr.Chain;

/// <summary>
/// The committed ledger: accounts, VM-ID owners and staking in three <see cref="StateTree"/>s. Its root is
/// Keccak-256(Keccak-256(accountsRoot ‖ vmOwnersRoot) ‖ stakingRoot) and costs per block in proportion to the entries a block touched.
/// Reads are thread-safe; changes arrive only through <see cref="Prepare"/>/<see cref="Commit"/>.
/// </summary>
public sealed class LedgerState
{
    private readonly StateTree _accounts;
    private readonly StateTree _vmOwners;
    private readonly StateTree _staking;
    // Read-through cache of committed accounts; admission reads it from many threads while blocks commit.
    private readonly ConcurrentDictionary<Address, Account> _cache = new();
    private const int CacheLimit = 1_000_000;

    public LedgerState(ChainDatabase db)
    {
        _accounts = new StateTree(db.Store, db.Accounts, db.AccountBuckets);
        _vmOwners = new StateTree(db.Store, db.VmOwners, db.VmOwnerBuckets);
        // Staking holds few keys (validators, delegations, a queue per height): 4,096 buckets are plenty.
        _staking = new StateTree(db.Store, db.Staking, db.StakingBuckets, bucketBits: 12);
        Staking = new StakingState(_staking);
    }

    /// <summary>Committed stakes, validators, unbonding queue and staking totals.</summary>
    public StakingState Staking { get; }

    public Hash32 Root => CombineRoots(_accounts.Root, _vmOwners.Root, _staking.Root);

    public Account GetAccount(Address address)
    {
        if (_cache.TryGetValue(address, out var cached)) return cached;
        Span<byte> key = stackalloc byte[Address.Size];
        address.WriteTo(key);
        var bytes = _accounts.Get(key);
        var account = bytes is null ? Account.Empty : Account.Decode(bytes);
        if (_cache.Count >= CacheLimit) _cache.Clear();
        _cache.TryAdd(address, account);
        return account;
    }

    public Address? GetVmOwner(ulong vmId)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, vmId);
        var bytes = _vmOwners.Get(key);
        return bytes is null ? null : new Address(bytes);
    }

    public PreparedLedger Prepare(IReadOnlyDictionary<Address, Account> accounts, IReadOnlyDictionary<ulong, Address> vmOwners, StakingOverlay? staking = null)
    {
        var accountChanges = new Dictionary<byte[], byte[]?>(accounts.Count, ByteArrayComparer.Instance);
        foreach (var (address, account) in accounts) accountChanges[address.ToArray()] = account.IsEmpty ? null : account.Encode();
        var ownerChanges = new Dictionary<byte[], byte[]?>(vmOwners.Count, ByteArrayComparer.Instance);
        foreach (var (vmId, owner) in vmOwners)
        {
            var key = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(key, vmId);
            ownerChanges[key] = owner.ToArray();
        }
        var a = _accounts.Prepare(accountChanges);
        var o = _vmOwners.Prepare(ownerChanges);
        var s = _staking.Prepare(staking?.ToChanges() ?? new Dictionary<byte[], byte[]?>());
        return new PreparedLedger(a, o, s, accounts, CombineRoots(a.Root, o.Root, s.Root));
    }

    public void Stage(PreparedLedger prepared, StoreBatch batch)
    {
        _accounts.Stage(prepared.Accounts, batch);
        _vmOwners.Stage(prepared.VmOwners, batch);
        _staking.Stage(prepared.Staking, batch);
    }

    /// <summary>Makes staged changes visible; call once their batch is durable.</summary>
    public void Commit(PreparedLedger prepared)
    {
        _accounts.Commit(prepared.Accounts);
        _vmOwners.Commit(prepared.VmOwners);
        _staking.Commit(prepared.Staking);
        foreach (var (address, account) in prepared.ChangedAccounts) _cache[address] = account;
    }

    private static Hash32 CombineRoots(in Hash32 accounts, in Hash32 owners, in Hash32 staking)
        => Keccak.HashPair(Keccak.HashPair(accounts, owners), staking);
}

/// <summary>A block's computed ledger changes and resulting root, not yet written.</summary>
public sealed record PreparedLedger(PreparedState Accounts, PreparedState VmOwners, PreparedState Staking, IReadOnlyDictionary<Address, Account> ChangedAccounts, Hash32 Root);
