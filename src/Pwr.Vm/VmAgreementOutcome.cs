namespace Pwr.Vm;

/// <summary>What one agreement check concluded.</summary>
public enum VmAgreementOutcome
{
    /// <summary>Nothing to compare yet (no checkpoint taken since the last check, or the host is not running).</summary>
    Skipped,
    /// <summary>No peer answered for the height: unreachable or behind. Nothing changes.</summary>
    NoAnswers,
    /// <summary>At least 2/3 of the answers matched: the height is the new last agreed height.</summary>
    Agreed,
    /// <summary>Fewer than 2/3 matched: the store was rolled back to the last agreed checkpoint and re-executes.</summary>
    Diverged,
    /// <summary>Fewer than 2/3 matched again before the previous divergence was resolved: rolled back and halted.</summary>
    Halted,
}
