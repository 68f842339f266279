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

public class BlockCodecTests
{
    [Fact]
    public void Block_with_commit_and_transactions_round_trips()
    {
        var key = DevnetKeys.FromLabel("consensus-tests/block");
        var txs = Enumerable.Range(0, 3).Select(i =>
        {
            TransactionCodec.TryDecode(TransactionBuilder.Sign(TransactionBuilder.Transfer(0x50, (uint)i, 1000, key.Address, key.Address, 5), key), out var tx, out _, out _);
            return tx!;
        }).ToArray();
        var header = new BlockHeader(5, 1000, Keccak.Hash256("prev"u8), key.Address, Block.ComputeTransactionsRoot(txs), Keccak.Hash256("state"u8), Keccak.Hash256("vs"u8));
        var commit = new Commit(5, 1, header.Hash, [Commit.SignPrecommit(key, 0x50, 5, 1, header.Hash)]);
        var block = new Block { Header = header, Transactions = txs, Results = [], Commit = commit };
        var bytes = BlockCodec.Encode(block);
        Assert.True(BlockCodec.TryDecode(bytes, 1 << 20, out var decoded, out var error), error);
        Assert.Equal(block.Hash, decoded.Hash);
        Assert.Equal(txs.Select(t => t.Hash), decoded.Transactions.Select(t => t.Hash));
        Assert.NotNull(decoded.Commit);
        Assert.Equal(commit.Encode(), decoded.Commit!.Encode());
        Assert.False(BlockCodec.TryDecode(bytes.AsSpan(0, bytes.Length - 1), 1 << 20, out _, out _));
        Assert.False(BlockCodec.TryDecode([.. bytes, 1], 1 << 20, out _, out _));
    }
}
