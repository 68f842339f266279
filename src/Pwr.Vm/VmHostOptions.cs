namespace Pwr.Vm;

/// <summary>Settings of a <see cref="VmHost"/>; defaults suit both an in-process and a remote block source.</summary>
public sealed record VmHostOptions
{
    /// <summary>How often the host asks the source for its height when nothing woke it (remote sources never push).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Blocks asked for per fetch; the block-source contract allows at most 1000.</summary>
    public int MaxBlocksPerFetch { get; init; } = IVmBlockSource.MaxBlocksPerRequest;

    /// <summary>Pending height notifications kept; older ones are dropped, which loses nothing since heights only grow.</summary>
    public int NotificationCapacity { get; init; } = 16;

    /// <summary>Wait before retrying after the block source failed (network down, node restarting).</summary>
    public TimeSpan SourceRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fsync every block's batch. Without it a killed process still loses nothing; a power cut may lose the last blocks, re-applied on restart.</summary>
    public bool SyncWrites { get; init; } = true;

    /// <summary>
    /// PWR API base URLs (e.g. http://10.0.0.2:8085/) of peers running the same VM; empty (the default) turns root
    /// agreement off. See <see cref="VmRootAgreement"/>.
    /// </summary>
    public IReadOnlyList<Uri> AgreementPeers { get; init; } = [];

    /// <summary>Time between agreement checks; each check sends one request per peer.</summary>
    public TimeSpan AgreementInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one peer may take to answer before it counts as unreachable for that check.</summary>
    public TimeSpan AgreementPeerTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Agreed checkpoints (RocksDB snapshots) kept; the newest is what a divergence rolls back to.</summary>
    public int AgreementCheckpointsKept { get; init; } = 3;

    /// <summary>Where checkpoints live; null = beside the store (its directory name + ".agreement"). Must be on the store's file system.</summary>
    public string? AgreementCheckpointDirectory { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for settings the host cannot run with.</summary>
    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "must be positive");
        if (MaxBlocksPerFetch is < 1 or > IVmBlockSource.MaxBlocksPerRequest)
            throw new ArgumentOutOfRangeException(nameof(MaxBlocksPerFetch), MaxBlocksPerFetch, $"must be 1…{IVmBlockSource.MaxBlocksPerRequest}");
        if (NotificationCapacity < 1) throw new ArgumentOutOfRangeException(nameof(NotificationCapacity), NotificationCapacity, "must be at least 1");
        ArgumentNullException.ThrowIfNull(AgreementPeers);
        if (AgreementInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AgreementInterval), AgreementInterval, "must be positive");
        if (AgreementPeerTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AgreementPeerTimeout), AgreementPeerTimeout, "must be positive");
        if (AgreementCheckpointsKept < 1) throw new ArgumentOutOfRangeException(nameof(AgreementCheckpointsKept), AgreementCheckpointsKept, "must be at least 1");
        if (SourceRetryDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(SourceRetryDelay), SourceRetryDelay, "must not be negative");
    }
}
