using Pwr.Core;

namespace Pwr.Vm;

/// <summary>One peer that <see cref="VmRootAgreement"/> asks for a VM's root; <see cref="PwrNodeClient"/> is the real one.</summary>
public interface IVmPeerRootSource
{
    /// <summary>How logs and status name the peer (its URL for a real node).</summary>
    string Name { get; }

    /// <summary>
    /// The root the peer's VM host recorded after <paramref name="blockNumber"/>, or null when it has none yet (behind,
    /// or withholding it); throws when the peer cannot be reached.
    /// </summary>
    Task<Hash32?> GetRootHashAsync(ulong vmId, ulong blockNumber, CancellationToken cancellationToken = default);
}
