namespace Pwr.Vm;

/// <summary>Where a VM host stands with its peers (see <see cref="VmRootAgreement"/>).</summary>
public enum VmAgreementState
{
    /// <summary>No divergence is open: every height checked so far had enough matching answers, or none were checked.</summary>
    InAgreement,
    /// <summary>Peers disagreed; the store was rolled back to the last agreed checkpoint and re-executes until a height at or past the divergence is agreed.</summary>
    Diverged,
    /// <summary>Peers disagreed again before the earlier divergence was resolved: the host is rolled back and stopped.</summary>
    Halted,
}
