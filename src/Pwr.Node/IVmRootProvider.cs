using Pwr.Core;

namespace Pwr.Node;

/// <summary>
/// What the node asks about VM state roots for <c>/rootHash</c>. The node knows no VM; whoever composes the
/// node with VM hosts registers one of these per VM ID.
/// </summary>
public interface IVmRootProvider
{
    ulong VmId { get; }
    /// <summary>The highest block this VM host has applied.</summary>
    ulong Height { get; }
    bool TryGetRoot(ulong blockNumber, out Hash32 root);
    /// <summary>A short status for operators: running, halted with an error, lagging.</summary>
    object Status { get; }

    /// <summary>What <c>/vmStatus</c> reports; hosts without root agreement can keep this default.</summary>
    VmStatusReport Report => new(Height, "running", 0, 0, null, 0, null);

    /// <summary>Why <c>/rootHash</c> must not serve block <paramref name="blockNumber"/> (e.g. the VM diverged from its peers); null when nothing is withheld.</summary>
    string? RootWithheldReason(ulong blockNumber) => null;
}
