using Pwr.Storage;

namespace Pwr.Chain;

/// <summary>The node's RocksDB database and its column families.</summary>
public sealed class ChainDatabase : IDisposable
{
    public KeyValueStore Store { get; }
    public ColumnFamily Meta { get; }
    public ColumnFamily Accounts { get; }
    public ColumnFamily AccountBuckets { get; }
    public ColumnFamily VmOwners { get; }
    public ColumnFamily VmOwnerBuckets { get; }
    /// <summary>The staking tree's entries and bucket hashes (see <see cref="StakingState"/>).</summary>
    public ColumnFamily Staking { get; }
    public ColumnFamily StakingBuckets { get; }
    /// <summary>first height (u64) → the validator set that applies from it until the next entry.</summary>
    public ColumnFamily ValidatorSets { get; }
    /// <summary>number (u64) → header ‖ commit.</summary>
    public ColumnFamily Blocks { get; }
    /// <summary>number (u64) ‖ position (u32) → result ‖ signed tx.</summary>
    public ColumnFamily BlockTransactions { get; }
    /// <summary>tx hash → number ‖ position.</summary>
    public ColumnFamily TransactionIndex { get; }
    /// <summary>vmId (u64) ‖ number (u64) ‖ position (u32) → empty: a VM's transactions in chain order.</summary>
    public ColumnFamily VmTransactionIndex { get; }

    public ChainDatabase(string path)
    {
        Store = KeyValueStore.Open(path, "meta", "accounts", "account_buckets", "vm_owners", "vm_owner_buckets",
            "blocks", "block_txs", "tx_index", "vm_tx_index",
            "staking", "staking_buckets", "validator_sets");
        Meta = Store.Family("meta");
        Accounts = Store.Family("accounts");
        AccountBuckets = Store.Family("account_buckets");
        VmOwners = Store.Family("vm_owners");
        VmOwnerBuckets = Store.Family("vm_owner_buckets");
        Staking = Store.Family("staking");
        StakingBuckets = Store.Family("staking_buckets");
        ValidatorSets = Store.Family("validator_sets");
        Blocks = Store.Family("blocks");
        BlockTransactions = Store.Family("block_txs");
        TransactionIndex = Store.Family("tx_index");
        VmTransactionIndex = Store.Family("vm_tx_index");
    }

    public void Dispose() => Store.Dispose();
}
