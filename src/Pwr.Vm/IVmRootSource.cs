using Pwr.Core;

namespace Pwr.Vm;

/// <summary>Roots a node reports for a VM, block by block; what <see cref="VmVerifier"/> checks a rebuild against.</summary>
public interface IVmRootSource
{
    /// <summary>
    /// Roots after blocks <paramref name="fromBlock"/>…<paramref name="toBlock"/> (at most 1000), in order; the list stops
    /// early where the node's VM host has not reached the end of the range yet.
    /// </summary>
    ValueTask<IReadOnlyList<Hash32>> GetRootsAsync(ulong vmId, ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default);
}
