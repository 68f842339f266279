namespace Pwr.Vm;

/// <summary>A snapshot of a <see cref="VmRootAgreement"/> for metrics and <c>/vmStatus</c>.</summary>
/// <param name="LastAgreedHeight">The newest height whose root enough peers confirmed (0 = none yet).</param>
/// <param name="Divergence">The open (or halting) divergence; null while in agreement.</param>
/// <param name="Checks">Checks that got at least one answer.</param>
/// <param name="DivergencesTotal">Divergences detected since start.</param>
/// <param name="Rollbacks">Times the store was restored to an agreed checkpoint.</param>
/// <param name="LastError">The last check or rollback failure (e.g. a snapshot that could not be written).</param>
public sealed record VmAgreementStatus(
    VmAgreementState State,
    ulong LastAgreedHeight,
    VmDivergence? Divergence,
    int Peers,
    long Checks,
    long DivergencesTotal,
    long Rollbacks,
    string? LastError);
