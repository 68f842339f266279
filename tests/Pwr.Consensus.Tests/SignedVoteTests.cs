using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus.Tests;

public class SignedVoteTests
{
    private static readonly FalconKeyPair Key = DevnetKeys.FromLabel("consensus-tests/vote");

    [Fact]
    public void Vote_round_trips_and_verifies()
    {
        var hash = Keccak.Hash256("block"u8);
        var vote = SignedVote.Sign(Key, 0x50, VoteType.Prevote, 7, 2, hash);
        Assert.True(SignedVote.TryDecode(vote.Encode(), out var decoded));
        Assert.Equal(vote.Type, decoded.Type);
        Assert.Equal(vote.Height, decoded.Height);
        Assert.Equal(vote.Round, decoded.Round);
        Assert.Equal(hash, decoded.BlockHash);
        Assert.True(decoded.VerifySignature(Key.PublicKey, 0x50));
        Assert.False(decoded.VerifySignature(Key.PublicKey, 0x51));
    }

    [Fact]
    public void Precommit_signature_is_a_commit_signature()
    {
        var hash = Keccak.Hash256("block"u8);
        var vote = SignedVote.Sign(Key, 0x50, VoteType.Precommit, 3, 0, hash);
        Assert.True(Falcon512.Verify(Key.PublicKey, Commit.PrecommitSignBytes(0x50, 3, 0, hash), vote.Signature));
    }

    [Fact]
    public void Truncated_or_padded_vote_is_refused()
    {
        var bytes = SignedVote.Sign(Key, 0x50, VoteType.Precommit, 3, 0, Hash32.Zero).Encode();
        Assert.False(SignedVote.TryDecode(bytes.AsSpan(0, bytes.Length - 1), out _));
        Assert.False(SignedVote.TryDecode([.. bytes, 0], out _));
        bytes[0] = 9;
        Assert.False(SignedVote.TryDecode(bytes, out _));
    }
}
