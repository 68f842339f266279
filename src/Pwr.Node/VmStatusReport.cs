namespace Pwr.Node;

/// <summary>What <c>GET /vmStatus</c> reports about one VM host, root agreement with its peers included.</summary>
/// <param name="Status">"running", "catching-up", "diverged" or "halted".</param>
/// <param name="LastAgreedHeight">The newest block whose root enough peers confirmed (0: none yet, or no peers configured).</param>
/// <param name="Divergence">The open divergence from the peers; null while in agreement.</param>
/// <param name="Error">Why the VM is diverged or halted, or its last (retried) error; null when there is none.</param>
public sealed record VmStatusReport(ulong Height, string Status, ulong LastAgreedHeight, ulong Lag, VmDivergenceReport? Divergence, long DivergencesTotal, string? Error);
