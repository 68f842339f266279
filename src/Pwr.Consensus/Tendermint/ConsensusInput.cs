using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus.Tendermint;

/// <summary>Something that happened that the state machine reacts to.</summary>
public abstract record ConsensusInput;

/// <summary>Begin a height with its validator set; <paramref name="Self"/> is this node's validator address or null for a follower.</summary>
public sealed record StartHeight(ulong Height, ValidatorSet Validators, Address? Self) : ConsensusInput;

/// <summary>A proposal whose signature the driver checked; <paramref name="IsValid"/> is the application's verdict on its block.</summary>
public sealed record ProposalReceived(Proposal Proposal, bool IsValid) : ConsensusInput;

/// <summary>A vote whose signature the driver checked (this node's own votes come back through here too).</summary>
public sealed record VoteReceived(SignedVote Vote) : ConsensusInput;

/// <summary>A timeout that <see cref="ScheduleTimeout"/> asked for has expired.</summary>
public sealed record TimeoutFired(ulong Height, uint Round, ConsensusStep Step) : ConsensusInput;

/// <summary>The block the driver built after <see cref="BuildBlock"/>.</summary>
public sealed record OwnBlockReady(ulong Height, uint Round, Block Block) : ConsensusInput;
