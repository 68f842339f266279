using Pwr.Chain;
using Pwr.Consensus.Tendermint;
using Pwr.Core;

namespace Pwr.Consensus.Wal;

/// <summary>
/// Signs votes and proposals for a validator through its <see cref="ConsensusWal"/>: the first message for a slot is
/// signed and logged before it is returned; any later request for that slot returns the logged message unchanged,
/// even when it asks for a different block, so a restarted validator re-sends instead of double-signing.
/// </summary>
public sealed class SigningGuard(FalconKeyPair key, byte chainId, ConsensusWal wal)
{
    public Address Address => key.Address;

    /// <summary>The vote for the slot: the logged one if any, else a new signature, logged and fsynced.</summary>
    public SignedVote SignVote(VoteType type, ulong height, uint round, Hash32 blockHash)
    {
        if (wal.FindVote(type, height, round) is { } logged) return logged;
        var vote = SignedVote.Sign(key, chainId, type, height, round, blockHash);
        wal.Append(vote);
        return vote;
    }

    /// <summary>The proposal for (height, round): the logged one if any, else a new signature, logged and fsynced.</summary>
    public Proposal SignProposal(ulong height, uint round, int polRound, Block block)
    {
        if (wal.FindProposal(height, round) is { } logged) return logged;
        var proposal = Proposal.Sign(key, chainId, height, round, polRound, block);
        wal.Append(proposal);
        return proposal;
    }

    /// <summary>Whether a proposal for (height, round) was already signed (the driver then skips building a block).</summary>
    public Proposal? LoggedProposal(ulong height, uint round) => wal.FindProposal(height, round);
}
