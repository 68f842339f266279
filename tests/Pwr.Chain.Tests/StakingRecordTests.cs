using Pwr.Core;

namespace Pwr.Chain.Tests;

public sealed class StakingRecordTests
{
    [Fact]
    public void Validator_stake_record_round_trips_and_rejects_truncation()
    {
        var key = DevnetKeys.Account(1);
        var record = new ValidatorStake(key.Address, key.PublicKey, 900, 1000, 400, true, 7, [21, 25]);
        var bytes = record.Encode();
        var back = ValidatorStake.Decode(bytes);
        Assert.Equal(record.Address, back.Address);
        Assert.Equal(record.PublicKey, back.PublicKey);
        Assert.Equal((900UL, 1000UL, 400UL, true, 7UL), (back.Tokens, back.Shares, back.SelfShares, back.Tombstoned, back.JoinedHeight));
        Assert.Equal([21UL, 25UL], back.UnbondingHeights);
        Assert.Throws<InvalidDataException>(() => ValidatorStake.Decode(bytes.AsSpan(0, bytes.Length - 1)));
    }

    [Fact]
    public void Shares_of_a_slashed_validator_are_worth_their_part_of_the_tokens_and_the_last_shares_take_the_rest()
    {
        var key = DevnetKeys.Account(1);
        var record = new ValidatorStake(key.Address, key.PublicKey, 900, 1000, 1000, true, 0, []);
        Assert.Equal(299UL, record.TokensFor(333)); // floor(333 × 900 / 1000): rounding stays with the validator
        Assert.Equal(900UL, record.TokensFor(1000));
    }

    [Fact]
    public void Validator_set_encoding_round_trips_with_the_same_hash()
    {
        var set = new ValidatorSet([
            new Validator(DevnetKeys.Account(1).Address, DevnetKeys.Account(1).PublicKey, 5),
            new Validator(DevnetKeys.Validator().Address, DevnetKeys.Validator().PublicKey, 9),
        ]);
        var back = ValidatorSetHistory.Decode(ValidatorSetHistory.Encode(set));
        Assert.Equal(set.Hash, back.Hash);
        Assert.Equal(14UL, back.TotalPower);
    }

    [Fact]
    public void Unbonding_queue_encoding_round_trips_and_rejects_a_partial_entry()
    {
        List<UnbondingEntry> entries = [new(DevnetKeys.Account(1).Address, DevnetKeys.Account(2).Address, 42), new(DevnetKeys.Account(3).Address, DevnetKeys.Account(3).Address, 7)];
        var bytes = UnbondingEntry.EncodeList(entries);
        Assert.Equal(entries, UnbondingEntry.DecodeList(bytes));
        Assert.Throws<InvalidDataException>(() => UnbondingEntry.DecodeList(bytes.AsSpan(1)));
    }
}
