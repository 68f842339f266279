using Pwr.Core;

namespace Pwr.Chain.Tests;

public sealed class StakingEvidenceTests : IDisposable
{
    private const ulong Pwr = Units.PerPwr;
    private readonly StakingHarness _h = new(new ChainOptions { UnbondingBlocks = 50 });
    private readonly FalconKeyPair _offender = StakingHarness.Dev(1);
    private readonly ulong _validatorHeight;

    public StakingEvidenceTests()
    {
        _h.Submit(_h.Join(_offender, 1000 * Pwr));
        _validatorHeight = _h.Produce().Number + 1;
        _h.Produce();
    }

    public void Dispose() => _h.Dispose();

    private (SignedVote A, SignedVote B) DoubleSign(FalconKeyPair k, ulong height)
        => (StakingHarness.Vote(k, height, StakingHarness.SomeHash(1)), StakingHarness.Vote(k, height, StakingHarness.SomeHash(2)));

    private AdmissionResult Check(SignedVote a, SignedVote b, int sender = 3) => _h.Chain.CheckTx(_h.Evidence(StakingHarness.Dev(sender), a, b));

    [Fact]
    public void Valid_evidence_slashes_stake_and_unbonding_and_tombstones_the_validator()
    {
        _h.Submit(_h.Undelegate(_offender, _offender.Address, 200 * Pwr));
        var undelegated = _h.Produce().Number;
        var supplyBefore = _h.Chain.ComputeSupply();
        var (a, b) = DoubleSign(_offender, _validatorHeight);
        var reporter = StakingHarness.Dev(3);
        var reporterBefore = _h.Balance(reporter);
        var raw = _h.Submit(_h.Evidence(reporter, a, b));

        var block = _h.Produce();
        Assert.True(block.Results[0].Success, block.Results[0].Error);
        var v = _h.Chain.Ledger.Staking.GetValidator(_offender.Address)!;
        Assert.True(v.Tombstoned);
        Assert.Equal(720 * Pwr, v.Tokens);
        Assert.Equal([new UnbondingEntry(_offender.Address, _offender.Address, 180 * Pwr)], _h.Chain.Ledger.Staking.GetUnbonding(undelegated + 50));
        var supply = _h.Chain.ComputeSupply();
        Assert.Equal(100 * Pwr, supply.Burned);
        Assert.Equal(supplyBefore.Bonded - 80 * Pwr, supply.Bonded);
        Assert.Equal(supplyBefore.Unbonding - 20 * Pwr, supply.Unbonding);
        Assert.Equal(reporterBefore - _h.FeeOf(raw), _h.Balance(reporter));
        Assert.Null(_h.Chain.Validators.Find(_offender.Address));

        var again = Check(a, b, sender: 4);
        Assert.Equal(RejectReason.InvalidEvidence, again.Reason);
        Assert.Contains("tombstoned", again.Message);
        var rejoin = _h.Chain.CheckTx(_h.Join(_offender, 10 * Pwr));
        Assert.Equal(RejectReason.InvalidStaking, rejoin.Reason);
    }

    [Fact]
    public void Second_copy_of_evidence_in_the_same_block_fails_and_only_pays_its_fee()
    {
        var (a, b) = DoubleSign(_offender, _validatorHeight);
        var first = _h.Submit(_h.Evidence(StakingHarness.Dev(3), a, b));
        var second = _h.Submit(_h.Evidence(StakingHarness.Dev(4), b, a));
        var before = _h.Balance(StakingHarness.Dev(4));
        var block = _h.Produce();
        Assert.Equal(2, block.Transactions.Count);
        Assert.True(block.Results[0].Success, block.Results[0].Error);
        Assert.False(block.Results[1].Success);
        Assert.Contains("tombstoned", block.Results[1].Error);
        Assert.Equal(before - _h.FeeOf(second), _h.Balance(StakingHarness.Dev(4)));
        Assert.Equal(100 * Pwr, _h.Chain.ComputeSupply().Burned);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Evidence_older_than_the_unbonding_period_is_refused()
    {
        var (a, b) = DoubleSign(_offender, _validatorHeight);
        // Still inside the window at the last admissible height: admitted.
        while (_h.Chain.LastHeader.Number + 1 < _validatorHeight + 50) _h.Produce();
        Assert.True(Check(a, b).Accepted);
        _h.Produce(); // the evidence lands and slashes; a second validator's old votes are what is left to test
        var late = StakingHarness.Dev(2);
        _h.Submit(_h.Join(late, 1000 * Pwr));
        ulong joinedAt = _h.Produce().Number + 1;
        var (c, d) = DoubleSign(late, joinedAt);
        while (_h.Chain.LastHeader.Number + 1 <= joinedAt + 50) _h.Produce();
        var r = Check(c, d);
        Assert.Equal(RejectReason.InvalidEvidence, r.Reason);
        Assert.Contains("evidence window", r.Message);
        Assert.False(_h.Chain.Ledger.Staking.GetValidator(late.Address)!.Tombstoned);
    }

    [Fact]
    public void Evidence_with_equal_block_hashes_is_refused()
    {
        var a = StakingHarness.Vote(_offender, _validatorHeight, StakingHarness.SomeHash(1));
        var b = StakingHarness.Vote(_offender, _validatorHeight, StakingHarness.SomeHash(1));
        var r = Check(a, b);
        Assert.Equal(RejectReason.InvalidEvidence, r.Reason);
        Assert.Contains("same block", r.Message);
    }

    [Fact]
    public void Evidence_with_different_heights_rounds_or_types_is_refused()
    {
        var a = StakingHarness.Vote(_offender, _validatorHeight, StakingHarness.SomeHash(1));
        Assert.Contains("different heights", Check(a, StakingHarness.Vote(_offender, _validatorHeight + 1, StakingHarness.SomeHash(2))).Message);
        Assert.Contains("different rounds", Check(a, StakingHarness.Vote(_offender, _validatorHeight, StakingHarness.SomeHash(2), round: 1)).Message);
        Assert.Contains("different types", Check(a, StakingHarness.Vote(_offender, _validatorHeight, StakingHarness.SomeHash(2), VoteType.Precommit)).Message);
        Assert.Contains("different validators", Check(a, StakingHarness.Vote(StakingHarness.Dev(2), _validatorHeight, StakingHarness.SomeHash(2))).Message);
    }

    [Fact]
    public void Evidence_with_a_bad_signature_is_refused()
    {
        var a = StakingHarness.Vote(_offender, _validatorHeight, StakingHarness.SomeHash(1));
        var forged = StakingHarness.Vote(StakingHarness.Dev(2), _validatorHeight, StakingHarness.SomeHash(2)) with { Validator = _offender.Address };
        var r = Check(a, forged);
        Assert.Equal(RejectReason.InvalidEvidence, r.Reason);
        Assert.Contains("vote B's signature does not verify", r.Message);

        var otherChain = StakingHarness.Vote(_offender, _validatorHeight, StakingHarness.SomeHash(2), chainId: 0x51);
        Assert.Contains("does not verify", Check(a, otherChain).Message);
    }

    [Fact]
    public void Evidence_against_a_non_validator_or_before_joining_is_refused()
    {
        var (a, b) = DoubleSign(StakingHarness.Dev(5), _validatorHeight);
        var r = Check(a, b);
        Assert.Equal(RejectReason.InvalidEvidence, r.Reason);
        Assert.Contains("was not a validator at height", r.Message);

        var (early, earlyB) = DoubleSign(_offender, _validatorHeight - 1);
        Assert.Contains("was not a validator at height", Check(early, earlyB).Message);

        var (future, futureB) = DoubleSign(_offender, _h.Head + 5);
        Assert.Contains("has no validator set yet", Check(future, futureB).Message);
    }

    [Fact]
    public void Malformed_votes_in_evidence_are_refused()
    {
        var raw = TransactionBuilder.Sign(TransactionBuilder.DoubleSignEvidence(_h.Chain.ChainId, 0, _h.F.Fee, StakingHarness.Dev(3).Address, [1, 2, 3], [4, 5]), StakingHarness.Dev(3));
        var r = _h.Chain.CheckTx(raw);
        Assert.Equal(RejectReason.InvalidEvidence, r.Reason);
        Assert.Contains("vote A is not a well-formed signed vote", r.Message);
    }

    [Fact]
    public void Supply_is_conserved_across_staking_slashing_release_and_failed_transactions()
    {
        var genesisSupply = _h.F.Genesis.TotalSupply;
        void AssertConserved()
        {
            var s = _h.Chain.ComputeSupply();
            Assert.Equal(genesisSupply, s.Total + s.Burned);
        }
        AssertConserved();
        var dev2 = StakingHarness.Dev(2);
        _h.Submit(_h.Delegate(dev2, _offender.Address, 333 * Pwr + 7));
        _h.Submit(_h.F.VmData(StakingHarness.Dev(6), ChainFixture.TokenVm, [9], 12345));
        _h.Produce();
        AssertConserved();

        _h.Submit(_h.Undelegate(dev2, _offender.Address, 100 * Pwr + 3));
        _h.Submit(_h.Undelegate(dev2, _offender.Address, 300 * Pwr)); // fails in the block: only 233 PWR left
        var (a, b) = DoubleSign(_offender, _validatorHeight);
        _h.Submit(_h.Evidence(StakingHarness.Dev(3), a, b));
        var block = _h.Produce();
        Assert.Equal([true, false, true], block.Results.Select(r => r.Success));
        AssertConserved();
        Assert.True(_h.Chain.ComputeSupply().Burned > 0);

        // Leaving a slashed validator pays out what the shares are still worth.
        _h.Submit(_h.Undelegate(dev2, _offender.Address, 233 * Pwr + 4));
        _h.Submit(_h.Undelegate(_offender, _offender.Address, 1000 * Pwr));
        _h.Produce();
        AssertConserved();
        Assert.Equal(0UL, _h.Chain.Ledger.Staking.GetValidator(_offender.Address)!.Tokens);
        _h.ProduceUntil(_h.Head + 50);
        AssertConserved();
        Assert.Equal(0UL, _h.Chain.ComputeSupply().Unbonding);
    }
}
