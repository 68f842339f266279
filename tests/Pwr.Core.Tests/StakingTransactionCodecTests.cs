using System.Buffers.Binary;
using Pwr.Core;

namespace Pwr.Core.Tests;

public class StakingTransactionCodecTests
{
    private static Transaction SignAndDecode(TransactionType type)
    {
        var raw = TransactionBuilder.Sign(Samples.Unsigned(type), TestKeys.Alice);
        var tx = Samples.Decode(raw);
        Assert.Equal(type, tx.Type);
        Assert.Equal(Samples.ChainId, tx.ChainId);
        Assert.Equal(Samples.Nonce, tx.Nonce);
        Assert.Equal(Samples.FeePerByte, tx.FeePerByte);
        Assert.Equal(Samples.Sender, tx.Sender);
        Assert.True(TransactionSignature.Verify(tx, TestKeys.Alice.PublicKey));
        return tx;
    }

    [Fact]
    public void JoinAsValidator_round_trips_its_stake_and_spends_it()
    {
        var tx = SignAndDecode(TransactionType.JoinAsValidator);
        Assert.Equal(Samples.Amount, tx.Amount);
        Assert.Equal(Samples.Amount, tx.Spend);
        Assert.Equal(Address.Zero, tx.Validator);
        Assert.Equal(Transaction.HeaderSize + 8, tx.UnsignedLength);
    }

    [Theory]
    [InlineData(TransactionType.Delegate)]
    [InlineData(TransactionType.Undelegate)]
    public void Delegate_and_undelegate_round_trip_validator_and_amount(TransactionType type)
    {
        var tx = SignAndDecode(type);
        Assert.Equal(Samples.Validator, tx.Validator);
        Assert.Equal(Samples.Amount, tx.Amount);
        Assert.Equal(Transaction.HeaderSize + Address.Size + 8, tx.UnsignedLength);
        Assert.Equal(type == TransactionType.Delegate ? Samples.Amount : 0UL, tx.Spend);
    }

    [Fact]
    public void DoubleSignEvidence_round_trips_both_votes_as_opaque_bytes()
    {
        var tx = SignAndDecode(TransactionType.DoubleSignEvidence);
        Assert.Equal(Samples.VoteA, tx.VoteA.ToArray());
        Assert.Equal(Samples.VoteB, tx.VoteB.ToArray());
        Assert.Equal(0UL, tx.Spend);
    }

    [Fact]
    public void Unsigned_evidence_has_length_prefixed_votes_after_the_header()
    {
        var u = Samples.Unsigned(TransactionType.DoubleSignEvidence);
        int at = Transaction.HeaderSize;
        Assert.Equal(1043u, BinaryPrimitives.ReadUInt32BigEndian(u));
        Assert.Equal((uint)Samples.VoteA.Length, BinaryPrimitives.ReadUInt32BigEndian(u.AsSpan(at)));
        Assert.Equal(Samples.VoteA, u.AsSpan(at + 4, Samples.VoteA.Length).ToArray());
        at += 4 + Samples.VoteA.Length;
        Assert.Equal((uint)Samples.VoteB.Length, BinaryPrimitives.ReadUInt32BigEndian(u.AsSpan(at)));
        Assert.Equal(Samples.VoteB, u.AsSpan(at + 4).ToArray());
    }

    [Fact]
    public void Evidence_with_an_empty_vote_is_rejected_as_bad_evidence()
    {
        var u = TransactionBuilder.DoubleSignEvidence(Samples.ChainId, 0, 1, Samples.Sender, Samples.VoteA, []);
        var raw = TestKeys.SealDeterministic(u, TestKeys.Alice, "empty-vote");
        Assert.Equal(DecodeError.BadEvidence, Samples.DecodeError(raw));
    }

    [Fact]
    public void Evidence_whose_vote_length_runs_past_the_body_is_rejected_as_truncated()
    {
        var u = Samples.Unsigned(TransactionType.DoubleSignEvidence);
        BinaryPrimitives.WriteUInt32BigEndian(u.AsSpan(Transaction.HeaderSize), uint.MaxValue);
        var raw = TestKeys.SealDeterministic(u, TestKeys.Alice, "long-vote");
        Assert.Equal(DecodeError.Truncated, Samples.DecodeError(raw));
    }

    [Theory]
    [InlineData(TransactionType.JoinAsValidator)]
    [InlineData(TransactionType.Delegate)]
    [InlineData(TransactionType.Undelegate)]
    [InlineData(TransactionType.DoubleSignEvidence)]
    public void Staking_body_with_a_trailing_byte_is_rejected(TransactionType type)
    {
        byte[] u = [.. Samples.Unsigned(type), 0x00];
        var raw = TestKeys.SealDeterministic(u, TestKeys.Alice, "trailing");
        Assert.Equal(DecodeError.TrailingBytes, Samples.DecodeError(raw));
    }

    [Theory]
    [InlineData(TransactionType.JoinAsValidator)]
    [InlineData(TransactionType.Delegate)]
    [InlineData(TransactionType.Undelegate)]
    public void Staking_body_missing_its_last_byte_is_rejected_as_truncated(TransactionType type)
    {
        var u = Samples.Unsigned(type)[..^1];
        var raw = TestKeys.SealDeterministic(u, TestKeys.Alice, "short");
        Assert.Equal(DecodeError.Truncated, Samples.DecodeError(raw));
    }
}
