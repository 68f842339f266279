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

    /// <summary>Blocks a host may trail its source and still count as running rather than catching up.</summary>
    public const ulong CatchingUpLag = 2;

    /// <summary>Finalized blocks the VM has not applied yet.</summary>
    public ulong Lag => SourceHeight > Height ? SourceHeight - Height : 0;

    /// <summary>
    /// One word for operators and <c>/vmStatus</c>: "halted" (the VM threw, peers disagreed twice, or the host was
    /// stopped), "diverged" (rolled back after peers disagreed, re-executing until they confirm it again),
    /// "catching-up" (more than <see cref="CatchingUpLag"/> blocks behind, or not started yet) or "running".
    /// </summary>
    public string Condition => State is VmHostState.Halted or VmHostState.Stopped || Agreement?.State == VmAgreementState.Halted ? "halted"
        : Agreement?.State == VmAgreementState.Diverged ? "diverged"
        : State == VmHostState.Created || Lag > CatchingUpLag ? "catching-up"
        : "running";

    /// <summary>Why the host is diverged or halted, else its last (retried) error; null when there is none.</summary>
    public string? Problem => Agreement is { State: VmAgreementState.Diverged, Divergence: { } d }
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"diverged from its peers at block {d.Height}: {d.Agreeing} of {d.Answers} answers match the local root; rolled back to block {d.RolledBackTo} and re-executing")
        : LastError;
}
