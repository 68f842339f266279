namespace Pwr.Consensus;

/// <summary>Settings of the multi-validator Tendermint engine; defaults follow CometBFT's.</summary>
public sealed class BftOptions
{
    /// <summary>Minimum time between block timestamps; empty blocks still come every interval.</summary>
    public TimeSpan BlockInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long to wait for a proposal in round 0.</summary>
    public TimeSpan TimeoutPropose { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Added to the propose timeout per round.</summary>
    public TimeSpan TimeoutProposeDelta { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How long to wait for more prevotes after 2f+1 of any kind.</summary>
    public TimeSpan TimeoutPrevote { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Added to the prevote timeout per round.</summary>
    public TimeSpan TimeoutPrevoteDelta { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How long to wait for more precommits after 2f+1 of any kind.</summary>
    public TimeSpan TimeoutPrecommit { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Added to the precommit timeout per round.</summary>
    public TimeSpan TimeoutPrecommitDelta { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How often this validator re-sends its votes of the current height, so restarted peers can catch up.</summary>
    public TimeSpan RebroadcastInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Largest encoded proposal accepted from a peer.</summary>
    public int MaxProposalBytes { get; init; } = 64 * 1024 * 1024;
    /// <summary>Byzantine test build: also sign and send a conflicting prevote every round. Never in production.</summary>
    public bool EquivocateForFaultTests { get; init; }

    /// <summary>The timeout of a step in a round: base + round × delta.</summary>
    public TimeSpan Timeout(Tendermint.ConsensusStep step, uint round) => step switch
    {
        Tendermint.ConsensusStep.Propose => TimeoutPropose + TimeoutProposeDelta * round,
        Tendermint.ConsensusStep.Prevote => TimeoutPrevote + TimeoutPrevoteDelta * round,
        Tendermint.ConsensusStep.Precommit => TimeoutPrecommit + TimeoutPrecommitDelta * round,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "no timeout for this step"),
    };

    public void Validate()
    {
        if (BlockInterval < TimeSpan.FromMilliseconds(10) || BlockInterval > TimeSpan.FromMinutes(10))
            throw new ArgumentException($"block interval {BlockInterval.TotalMilliseconds} ms is outside 10 ms .. 10 min");
        foreach (var (name, t) in new[] { ("propose", TimeoutPropose), ("prevote", TimeoutPrevote), ("precommit", TimeoutPrecommit), ("rebroadcast", RebroadcastInterval) })
            if (t <= TimeSpan.Zero) throw new ArgumentException($"the {name} timeout must be positive");
        foreach (var (name, t) in new[] { ("propose", TimeoutProposeDelta), ("prevote", TimeoutPrevoteDelta), ("precommit", TimeoutPrecommitDelta) })
            if (t < TimeSpan.Zero) throw new ArgumentException($"the {name} timeout delta must not be negative");
        if (MaxProposalBytes < 1024) throw new ArgumentException("the proposal size limit must be at least 1 KiB");
    }
}
