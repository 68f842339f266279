using Pwr.Chain;
using Pwr.Consensus.Tendermint;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Tendermint;

public class ProposalTests
{
    private static readonly FalconKeyPair Key = DevnetKeys.Validator(1);

    [Fact]
    public void Proposal_round_trips_and_verifies_only_under_its_chain_and_key()
    {
        var block = StateMachineHarness.MakeBlock(9, "p");
        var proposal = Proposal.Sign(Key, 0x50, 9, 3, 1, block);
        Assert.True(Proposal.TryDecode(proposal.Encode(), 1 << 20, 1 << 16, out var decoded, out var error), error);
        Assert.Equal((9UL, 3U, 1, block.Hash, Key.Address), (decoded.Height, decoded.Round, decoded.PolRound, decoded.BlockHash, decoded.Proposer));
        Assert.True(decoded.VerifySignature(Key.PublicKey, 0x50));
        Assert.False(decoded.VerifySignature(Key.PublicKey, 0x51));
        Assert.False(decoded.VerifySignature(DevnetKeys.Validator(2).PublicKey, 0x50));
    }

    [Fact]
    public void Changed_pol_round_breaks_the_signature()
    {
        var proposal = Proposal.Sign(Key, 0x50, 9, 3, -1, StateMachineHarness.MakeBlock(9, "p"));
        Assert.False((proposal with { PolRound = 2 }).VerifySignature(Key.PublicKey, 0x50));
    }

    [Fact]
    public void Proposal_signature_differs_from_a_vote_signature_of_the_same_fields()
    {
        var block = StateMachineHarness.MakeBlock(9, "p");
        Assert.NotEqual(Proposal.SignBytes(0x50, 9, 0, -1, block.Hash), SignedVote.SignBytes(VoteType.Prevote, 0x50, 9, 0, block.Hash));
    }

    [Fact]
    public void Truncated_oversized_or_inconsistent_proposals_are_rejected()
    {
        var bytes = Proposal.Sign(Key, 0x50, 9, 3, 1, StateMachineHarness.MakeBlock(9, "p")).Encode();
        Assert.False(Proposal.TryDecode(bytes.AsSpan(0, bytes.Length - 1), 1 << 20, 1 << 16, out _, out _));
        Assert.False(Proposal.TryDecode([.. bytes, 0], 1 << 20, 1 << 16, out _, out _));
        Assert.False(Proposal.TryDecode(bytes, bytes.Length - 1, 1 << 16, out _, out var tooBig));
        Assert.Contains("exceeds", tooBig);
        var wrongHeight = Proposal.Sign(Key, 0x50, 10, 3, 1, StateMachineHarness.MakeBlock(9, "p")).Encode();
        Assert.False(Proposal.TryDecode(wrongHeight, 1 << 20, 1 << 16, out _, out _));
        var polNotBelowRound = Proposal.Sign(Key, 0x50, 9, 3, 3, StateMachineHarness.MakeBlock(9, "p")).Encode();
        Assert.False(Proposal.TryDecode(polNotBelowRound, 1 << 20, 1 << 16, out _, out _));
    }
}
