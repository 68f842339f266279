using Pwr.Core;

namespace Pwr.Chain.Tests;

public sealed class StakingTests
{
    private const ulong Pwr = Units.PerPwr;

    [Fact]
    public void Genesis_validators_start_bonded_with_their_power_and_supply_counts_it()
    {
        using var h = new StakingHarness();
        var v = h.Chain.Ledger.Staking.GetValidator(StakingHarness.GenesisValidator.Address);
        Assert.NotNull(v);
        Assert.Equal(1UL, v.Tokens);
        Assert.Equal(1UL, h.Chain.Ledger.Staking.StakeOf(v.Address, v.Address));
        var supply = h.Chain.ComputeSupply();
        Assert.Equal(1UL, supply.Bonded);
        Assert.Equal(h.F.Genesis.TotalSupply, supply.Total);
        Assert.Equal(h.Chain.Validators.Hash, h.Chain.GetBlock(0)!.Header.ValidatorSetHash);
    }

    [Fact]
    public void Join_takes_effect_at_the_next_height_boundary_not_before()
    {
        using var h = new StakingHarness();
        var dev1 = StakingHarness.Dev(1);
        var before = h.Balance(dev1);
        var genesisSet = h.Chain.Validators;
        var join = h.Submit(h.Join(dev1, 1000 * Pwr));
        Assert.Null(h.Chain.Validators.Find(dev1.Address)); // admitted, not yet in a block

        var block = h.Produce();
        Assert.True(block.Results[0].Success, block.Results[0].Error);
        Assert.Equal(genesisSet.Hash, block.Header.ValidatorSetHash);
        Assert.Null(h.Chain.GetValidators(block.Number).Find(dev1.Address));
        Assert.Equal(1000 * Pwr, h.Chain.Validators.Find(dev1.Address)?.Power);
        Assert.Equal(before - 1000 * Pwr - h.FeeOf(join), h.Balance(dev1));

        var next = h.Produce(); // needs dev1's precommit now: it holds nearly all the power
        Assert.Equal(h.Chain.GetValidators(next.Number).Hash, next.Header.ValidatorSetHash);
        Assert.NotNull(h.Chain.GetValidators(next.Number).Find(dev1.Address));
        Assert.Equal(genesisSet.Hash, h.Chain.GetValidators(block.Number).Hash);
    }

    [Fact]
    public void Commit_signed_only_by_the_old_set_is_refused_once_the_set_changed()
    {
        using var h = new StakingHarness();
        h.Submit(h.Join(StakingHarness.Dev(1), 1000 * Pwr));
        h.Produce();
        var height = h.Head + 1;
        var proposal = h.Chain.PrepareProposal(height, h.Chain.LastHeader.TimestampMs + 1000, StakingHarness.GenesisValidator.Address);
        var onlyGenesis = Commit.SignPrecommit(StakingHarness.GenesisValidator, h.Chain.ChainId, height, 0, proposal.Hash);
        var block = new Block { Header = proposal.Header, Transactions = proposal.Transactions, Results = proposal.Results, Commit = new Commit(height, 0, proposal.Hash, [onlyGenesis]) };
        var e = Assert.Throws<InvalidOperationException>(() => h.Chain.FinalizeBlock(block));
        Assert.Contains("voting power", e.Message);
    }

    [Fact]
    public void Delegate_raises_the_validators_power_at_the_next_height()
    {
        using var h = new StakingHarness();
        var dev1 = StakingHarness.Dev(1);
        h.Submit(h.Join(dev1, 100 * Pwr));
        h.Produce();
        h.Submit(h.Delegate(StakingHarness.Dev(2), dev1.Address, 50 * Pwr));
        Assert.Equal(100 * Pwr, h.Chain.Validators.Find(dev1.Address)?.Power);
        var block = h.Produce();
        Assert.True(block.Results[0].Success, block.Results[0].Error);
        Assert.Equal(150 * Pwr, h.Chain.Validators.Find(dev1.Address)?.Power);
        Assert.Equal(50 * Pwr, h.Chain.Ledger.Staking.StakeOf(dev1.Address, StakingHarness.Dev(2).Address));
        Assert.Equal(150 * Pwr + 1, h.Chain.ComputeSupply().Bonded);
    }

    [Fact]
    public void Undelegate_moves_stake_to_unbonding_and_releases_it_at_maturity()
    {
        using var h = new StakingHarness(new ChainOptions { UnbondingBlocks = 3 });
        var dev1 = StakingHarness.Dev(1);
        var dev2 = StakingHarness.Dev(2);
        h.Submit(h.Join(dev1, 100 * Pwr));
        h.Produce();
        h.Submit(h.Delegate(dev2, dev1.Address, 40 * Pwr)); // admission checks committed stakes: dev1 must have joined
        h.Produce();
        h.Submit(h.Undelegate(dev2, dev1.Address, 30 * Pwr));
        var block = h.Produce();
        Assert.True(block.Results[0].Success, block.Results[0].Error);
        ulong maturity = block.Number + 3;
        var balance = h.Balance(dev2);

        Assert.Equal(10 * Pwr, h.Chain.Ledger.Staking.StakeOf(dev1.Address, dev2.Address));
        Assert.Equal(30 * Pwr, h.Chain.ComputeSupply().Unbonding);
        Assert.Equal([new UnbondingEntry(dev1.Address, dev2.Address, 30 * Pwr)], h.Chain.Ledger.Staking.GetUnbonding(maturity));
        Assert.Equal(110 * Pwr, h.Chain.Validators.Find(dev1.Address)?.Power);

        h.ProduceUntil(maturity - 1);
        Assert.Equal(balance, h.Balance(dev2));
        h.Produce();
        Assert.Equal(balance + 30 * Pwr, h.Balance(dev2));
        Assert.Empty(h.Chain.Ledger.Staking.GetUnbonding(maturity));
        Assert.Equal(0UL, h.Chain.ComputeSupply().Unbonding);
        Assert.Empty(h.Chain.Ledger.Staking.GetValidator(dev1.Address)!.UnbondingHeights);
    }

    [Fact]
    public void Active_set_is_the_top_validators_by_stake_with_ties_broken_by_address()
    {
        using var h = new StakingHarness(new ChainOptions { MaxValidators = 2 });
        var (dev1, dev2, dev3) = (StakingHarness.Dev(1), StakingHarness.Dev(2), StakingHarness.Dev(3));
        h.Submit(h.Join(dev1, 500 * Pwr));
        h.Submit(h.Join(dev2, 300 * Pwr));
        h.Submit(h.Join(dev3, 300 * Pwr));
        h.Produce();
        var tieWinner = dev2.Address.CompareTo(dev3.Address) < 0 ? dev2.Address : dev3.Address;
        var set = h.Chain.Validators;
        Assert.Equal(2, set.Validators.Count);
        Assert.NotNull(set.Find(dev1.Address));
        Assert.NotNull(set.Find(tieWinner));
        Assert.Null(set.Find(StakingHarness.GenesisValidator.Address));
        Assert.Equal(800 * Pwr, set.TotalPower);
        h.Produce(); // the new set commits blocks
        Assert.Equal(set.Hash, h.Chain.LastHeader.ValidatorSetHash);
    }

    [Fact]
    public void Validator_below_the_minimum_self_stake_is_not_active_and_a_small_join_is_refused()
    {
        using var h = new StakingHarness(new ChainOptions { MinValidatorSelfStake = 10 * Pwr });
        var dev1 = StakingHarness.Dev(1);
        var small = h.Chain.CheckTx(h.Join(dev1, 10 * Pwr - 1));
        Assert.Equal(RejectReason.InvalidStaking, small.Reason);
        Assert.Contains("minimum self-stake", small.Message);

        h.Submit(h.Join(dev1, 10 * Pwr));
        h.Submit(h.Join(StakingHarness.Dev(3), 20 * Pwr));
        h.Produce();
        Assert.NotNull(h.Chain.Validators.Find(dev1.Address));
        Assert.Null(h.Chain.Validators.Find(StakingHarness.GenesisValidator.Address)); // its 1 unit is below the minimum
        h.Submit(h.Undelegate(dev1, dev1.Address, 1));
        h.Submit(h.Delegate(StakingHarness.Dev(2), dev1.Address, 100 * Pwr)); // others' stake does not count as self-stake
        var block = h.Produce();
        Assert.Equal([true, true], block.Results.Select(r => r.Success));
        Assert.Null(h.Chain.Validators.Find(dev1.Address));
        Assert.Equal(20 * Pwr, h.Chain.Validators.TotalPower);
    }

    [Fact]
    public void Staking_transactions_that_cannot_succeed_are_refused_at_admission()
    {
        using var h = new StakingHarness();
        var dev1 = StakingHarness.Dev(1);
        var notValidator = h.Chain.CheckTx(h.Delegate(dev1, StakingHarness.Dev(2).Address, 5));
        Assert.Equal(RejectReason.InvalidStaking, notValidator.Reason);
        Assert.Contains("is not a validator", notValidator.Message);
        var tooMuch = h.Chain.CheckTx(h.Undelegate(dev1, StakingHarness.GenesisValidator.Address, 1));
        Assert.Equal(RejectReason.InvalidStaking, tooMuch.Reason);
        Assert.Contains("less than 1", tooMuch.Message);
        var twice = h.Chain.CheckTx(TransactionBuilder.Sign(TransactionBuilder.JoinAsValidator(h.Chain.ChainId, 0, h.F.Fee,
            StakingHarness.GenesisValidator.Address, 5), StakingHarness.GenesisValidator));
        Assert.Equal(RejectReason.InvalidStaking, twice.Reason);
        Assert.Contains("already a validator", twice.Message);
    }

    [Fact]
    public void Fee_split_pays_vm_owner_proposer_and_validators_exactly_the_fees()
    {
        using var h = new StakingHarness();
        var (owner, dev1, dev2, sender) = (StakingHarness.Dev(0), StakingHarness.Dev(1), StakingHarness.Dev(2), StakingHarness.Dev(4));
        h.Submit(h.Join(dev1, 3_000_000));
        h.Submit(h.Join(dev2, 1_000_000));
        h.Produce();
        var set = h.Chain.Validators;
        var accounts = new[] { owner, dev1, dev2, StakingHarness.GenesisValidator, sender };
        var before = accounts.ToDictionary(k => k.Address, h.Balance);

        var txs = new[]
        {
            h.Submit(h.F.VmData(sender, ChainFixture.TokenVm, [1, 2, 3], 0)),
            h.Submit(h.F.VmData(sender, ChainFixture.TokenVm, new byte[777], 0, nonce: h.F.Account(sender.Address).Nonce + 1)),
            h.Submit(h.F.Transfer(sender, StakingHarness.Dev(5).Address, 0, nonce: h.F.Account(sender.Address).Nonce + 2)),
        };
        var block = h.Produce(proposer: dev2.Address);
        Assert.Equal(3, block.Transactions.Count);

        ulong fees = txs.Aggregate(0UL, (sum, t) => sum + h.FeeOf(t));
        ulong ownerShare = h.FeeOf(txs[0]) * 15 / 100 + h.FeeOf(txs[1]) * 15 / 100;
        ulong pool = fees - ownerShare, half = pool / 2;
        ulong ShareOf(Address a) => (ulong)((UInt128)half * set.Find(a)!.Power / set.TotalPower);
        ulong paid = set.Validators.Aggregate(0UL, (sum, v) => sum + ShareOf(v.Address));
        ulong Delta(FalconKeyPair k) => h.Balance(k) - before[k.Address];

        Assert.Equal(fees, before[sender.Address] - h.Balance(sender));
        Assert.Equal(ownerShare, Delta(owner));
        Assert.Equal(ShareOf(dev1.Address), Delta(dev1));
        Assert.Equal(ShareOf(StakingHarness.GenesisValidator.Address), Delta(StakingHarness.GenesisValidator));
        Assert.Equal(pool - paid + ShareOf(dev2.Address), Delta(dev2));
        Assert.Equal(fees, Delta(owner) + Delta(dev1) + Delta(dev2) + Delta(StakingHarness.GenesisValidator));
        Assert.True(ShareOf(dev1.Address) > 0 && Delta(dev2) > Delta(dev1) / 3);
    }

    [Fact]
    public void State_root_changes_with_a_stake_change_alone()
    {
        using var h = new StakingHarness();
        var ledger = h.Chain.Ledger;
        var unchanged = ledger.Prepare(new Dictionary<Address, Account>(), new Dictionary<ulong, Address>(), new StakingOverlay(ledger.Staking));
        Assert.Equal(ledger.Root, unchanged.Root);
        var overlay = new StakingOverlay(ledger.Staking);
        overlay.Delegate(ledger.Staking.GetValidator(StakingHarness.GenesisValidator.Address)!, StakingHarness.Dev(1).Address, 7);
        var changed = ledger.Prepare(new Dictionary<Address, Account>(), new Dictionary<ulong, Address>(), overlay);
        Assert.NotEqual(ledger.Root, changed.Root);

        h.Submit(h.Delegate(StakingHarness.Dev(1), StakingHarness.GenesisValidator.Address, 7));
        var block = h.Produce();
        Assert.Equal(ledger.Root, block.Header.StateRoot);
        Assert.Equal(7UL, ledger.Staking.StakeOf(StakingHarness.GenesisValidator.Address, StakingHarness.Dev(1).Address));
    }

    [Fact]
    public void Restart_keeps_validator_sets_and_the_unbonding_queue()
    {
        using var h = new StakingHarness(new ChainOptions { UnbondingBlocks = 4 });
        var (dev1, dev2) = (StakingHarness.Dev(1), StakingHarness.Dev(2));
        h.Submit(h.Join(dev1, 100 * Pwr));
        var joined = h.Produce().Number;
        h.Submit(h.Join(dev2, 50 * Pwr));
        h.Submit(h.Undelegate(dev1, dev1.Address, 20 * Pwr));
        var undelegated = h.Produce().Number;
        var heights = h.Chain.ValidatorSets.FirstHeights.ToArray();
        var hashes = Enumerable.Range(0, (int)h.Head + 2).Select(i => h.Chain.GetValidators((ulong)i).Hash).ToArray();
        var root = h.Chain.Ledger.Root;
        var balance = h.Balance(dev1);

        h.F.Reopen();

        Assert.Equal([0UL, joined + 1, undelegated + 1], heights);
        Assert.Equal(heights, h.Chain.ValidatorSets.FirstHeights);
        Assert.Equal(hashes, Enumerable.Range(0, (int)h.Head + 2).Select(i => h.Chain.GetValidators((ulong)i).Hash).ToArray());
        Assert.Equal(root, h.Chain.Ledger.Root);
        Assert.Equal([new UnbondingEntry(dev1.Address, dev1.Address, 20 * Pwr)], h.Chain.Ledger.Staking.GetUnbonding(undelegated + 4));
        h.ProduceUntil(undelegated + 4);
        Assert.True(h.Balance(dev1) >= balance + 20 * Pwr); // plus its fee shares as a validator
        Assert.Equal(0UL, h.Chain.ComputeSupply().Unbonding);
    }

    [Fact]
    public void Set_stays_as_it_was_when_no_validator_would_qualify()
    {
        using var h = new StakingHarness(new ChainOptions { MinValidatorSelfStake = 10 * Pwr });
        var genesisSet = h.Chain.Validators;
        h.Submit(h.Delegate(StakingHarness.Dev(1), StakingHarness.GenesisValidator.Address, 5 * Pwr));
        var block = h.Produce();
        Assert.True(block.Results[0].Success, block.Results[0].Error);
        Assert.Equal(genesisSet.Hash, h.Chain.Validators.Hash);
        h.Produce();
    }
}
