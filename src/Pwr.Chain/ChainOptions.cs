namespace Pwr.Chain;

/// <summary>Base-layer rules and limits. Defaults are the devnet's; all are checked by <see cref="Validate"/>.</summary>
public sealed class ChainOptions
{
    /// <summary>Chain id every transaction must carry (devnet: 0x50, 'P').</summary>
    public byte ChainId { get; init; } = 0x50;
    /// <summary>Lowest accepted feePerByte, in units (1 PWR = 10^9 units).</summary>
    public ulong MinFeePerByte { get; init; } = 1_000;
    /// <summary>Largest signed transaction accepted, in bytes.</summary>
    public int MaxTransactionBytes { get; init; } = 1024 * 1024;
    /// <summary>Most transactions and bytes in one block.</summary>
    public int MaxBlockTransactions { get; init; } = 50_000;
    public long MaxBlockBytes { get; init; } = 64L * 1024 * 1024;
    /// <summary>Percent of a VmData fee paid to the VM ID's owner.</summary>
    public int VmOwnerFeePercent { get; init; } = 15;
    /// <summary>Mempool bounds: past these, new transactions are rejected with "mempool is full".</summary>
    public int MempoolMaxTransactions { get; init; } = 250_000;
    public long MempoolMaxBytes { get; init; } = 512L * 1024 * 1024;
    /// <summary>How far ahead of the account's nonce a pending transaction may be.</summary>
    public uint MaxNonceGap { get; init; } = 100_000;
    /// <summary>Pending transactions older than this are evicted.</summary>
    public TimeSpan MempoolTimeToLive { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>How often a commit also sweeps the mempool for expired transactions.</summary>
    public TimeSpan MempoolSweepInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Blocks between an Undelegate and the release of its units to the delegator's balance.</summary>
    public ulong UnbondingBlocks { get; init; } = 20;
    /// <summary>Most validators in the active set (the top ones by stake).</summary>
    public int MaxValidators { get; init; } = 200;
    /// <summary>Least self-stake, in units, to join and to stay eligible for the active set.</summary>
    public ulong MinValidatorSelfStake { get; init; } = 1;
    /// <summary>Percent of bonded stake and unbonding entries burned for a double sign.</summary>
    public int SlashPercent { get; init; } = 10;

    public void Validate()
    {
        if (UnbondingBlocks < 1) throw new ArgumentException("UnbondingBlocks must be at least 1");
        if (MaxValidators is < 1 or > 10_000) throw new ArgumentException("MaxValidators must be within 1..10000");
        if (MinValidatorSelfStake < 1) throw new ArgumentException("MinValidatorSelfStake must be at least 1 unit");
        if (SlashPercent is < 0 or > 100) throw new ArgumentException("SlashPercent must be within 0..100");
        if (MinFeePerByte == 0) throw new ArgumentException("MinFeePerByte must be at least 1");
        if (MaxTransactionBytes is < 256 or > Core.TransactionCodec.AbsoluteMaxSize)
            throw new ArgumentException($"MaxTransactionBytes must be within 256..{Core.TransactionCodec.AbsoluteMaxSize}");
        if (MaxBlockTransactions < 1 || MaxBlockBytes < MaxTransactionBytes) throw new ArgumentException("block limits must admit at least one maximal transaction");
        if (VmOwnerFeePercent is < 0 or > 100) throw new ArgumentException("VmOwnerFeePercent must be within 0..100");
        if (MempoolMaxTransactions < 1 || MempoolMaxBytes < MaxTransactionBytes) throw new ArgumentException("mempool limits are too small");
    }
}
