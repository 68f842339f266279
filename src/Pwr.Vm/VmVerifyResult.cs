using Pwr.Core;

namespace Pwr.Vm;

/// <summary>
/// Outcome of a <see cref="VmVerifier"/> run. <see cref="Matched"/> means every root compared was equal; it compared
/// blocks 1…<see cref="VerifiedHeight"/>, which is below <see cref="TargetHeight"/> when the node's VM host has not
/// reached the target yet. On a mismatch, <see cref="MismatchBlock"/> is the first block whose roots differ.
/// </summary>
public sealed record VmVerifyResult(
    bool Matched,
    ulong VerifiedHeight,
    ulong TargetHeight,
    ulong Transactions,
    TimeSpan Elapsed,
    ulong? MismatchBlock = null,
    Hash32? ExpectedRoot = null,
    Hash32? ActualRoot = null,
    string? Error = null)
{
    /// <summary>Replayed VM transactions per second.</summary>
    public double TransactionsPerSecond => Elapsed > TimeSpan.Zero ? Transactions / Elapsed.TotalSeconds : 0;
}
