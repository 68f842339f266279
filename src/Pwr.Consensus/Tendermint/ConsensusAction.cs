using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus.Tendermint;

/// <summary>Something the state machine asks its driver to do.</summary>
public abstract record ConsensusAction;

/// <summary>This node proposes (height, round) and has no valid value: build a block and answer with <see cref="OwnBlockReady"/>.</summary>
public sealed record BuildBlock(ulong Height, uint Round) : ConsensusAction;

/// <summary>Sign and broadcast a proposal, then feed it back as <see cref="ProposalReceived"/>.</summary>
public sealed record BroadcastProposal(ulong Height, uint Round, int PolRound, Block Block) : ConsensusAction;

/// <summary>Sign and broadcast a vote (<see cref="Hash32.Zero"/> = nil), then feed it back as <see cref="VoteReceived"/>.</summary>
public sealed record BroadcastVote(VoteType Type, ulong Height, uint Round, Hash32 BlockHash) : ConsensusAction;

/// <summary>Answer with <see cref="TimeoutFired"/> after <paramref name="Delay"/>.</summary>
public sealed record ScheduleTimeout(ulong Height, uint Round, ConsensusStep Step, TimeSpan Delay) : ConsensusAction;

/// <summary>The height is decided: the block and the precommits of more than 2/3 of the power that form its commit.</summary>
public sealed record Decide(ulong Height, uint Round, Block Block, IReadOnlyList<SignedVote> Precommits) : ConsensusAction;

/// <summary>A validator signed two different votes for one (height, round, type): both are evidence.</summary>
public sealed record EquivocationDetected(SignedVote First, SignedVote Second) : ConsensusAction;
