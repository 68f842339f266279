using Pwr.Core;

namespace Pwr.Vm;

/// <summary>A snapshot of a VM host for metrics and the node's status endpoints.</summary>
/// <param name="SourceHeight">The latest finalized height the host has seen from its source.</param>
/// <param name="ErrorCount">VM failures plus block-source failures (the latter are retried).</param>
/// <param name="LastErrorBlock">The block the VM failed on, when the last error was the VM's.</param>
public sealed record VmHostStatus(
    ulong VmId,
    VmHostState State,
    ulong Height,
    Hash32 Root,
    ulong SourceHeight,
    ulong BlocksApplied,
    long ErrorCount,
    string? LastError,
    ulong? LastErrorBlock)
{
    /// <summary>Root agreement with peers; null when the host has no agreement peers.</summary>
    public VmAgreementStatus? Agreement { get; init; }

    /// <summary>Finalized blocks the VM has not applied yet.</summary>
    public ulong Lag => SourceHeight > Height ? SourceHeight - Height : 0;
}
