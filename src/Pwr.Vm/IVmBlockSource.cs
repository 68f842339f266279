namespace Pwr.Vm;

/// <summary>Where a VM host gets finalized blocks: the node in-process, or a remote node over HTTP.</summary>
public interface IVmBlockSource
{
    /// <summary>Number of the latest finalized block; 0 when there is none. Block numbers start at 1.</summary>
    ValueTask<ulong> GetFinalizedHeightAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Blocks <paramref name="fromBlock"/>…<paramref name="toBlock"/> (inclusive, at most <see cref="MaxBlocksPerRequest"/>)
    /// with only the VM's transactions; every finalized block of the range is returned, with or without transactions.
    /// Blocks past the finalized height are left out, so the list may be shorter than the range.
    /// </summary>
    ValueTask<IReadOnlyList<VmBlock>> GetBlocksAsync(ulong vmId, ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default);

    /// <summary>
    /// Raised with the new finalized height by sources that can push (in-process); remote sources never raise it and
    /// hosts poll them instead. Handlers must return at once.
    /// </summary>
    event Action<ulong>? HeightAdvanced;

    /// <summary>The most blocks one <see cref="GetBlocksAsync"/> call may ask for.</summary>
    const int MaxBlocksPerRequest = 1000;
}
