using Pwr.Core;

namespace Pwr.Chain.Tests;

public sealed class StakingReplayTests
{
    private const ulong Pwr = Units.PerPwr;

    [Fact]
    public void Another_node_replaying_the_blocks_gets_the_same_roots_validator_sets_and_supply()
    {
        using var a = new StakingHarness(new ChainOptions { UnbondingBlocks = 2 });
        using var b = new StakingHarness(new ChainOptions { UnbondingBlocks = 2 });
        var (dev1, dev2, dev3) = (StakingHarness.Dev(1), StakingHarness.Dev(2), StakingHarness.Dev(3));
        a.Submit(a.Join(dev1, 100 * Pwr));
        a.Submit(a.Join(dev2, 60 * Pwr));
        a.Produce();
        a.Submit(a.Delegate(dev3, dev2.Address, 50 * Pwr));
        a.Submit(a.Undelegate(dev1, dev1.Address, 10 * Pwr));
        a.Produce(proposer: dev2.Address);
        var offence = (StakingHarness.Vote(dev1, 2, StakingHarness.SomeHash(7), VoteType.Precommit), StakingHarness.Vote(dev1, 2, StakingHarness.SomeHash(8), VoteType.Precommit));
        a.Submit(a.Evidence(dev3, offence.Item1, offence.Item2));
        a.Produce();
        a.ProduceUntil(a.Head + 3);

        for (ulong n = 1; n <= a.Head; n++)
        {
            var block = a.Chain.GetBlock(n)!;
            b.Chain.FinalizeBlock(block); b.Chain.Commit(); // no prepared state on b: it re-executes and checks the root
            Assert.Equal(block.Header.StateRoot, b.Chain.Ledger.Root);
            Assert.Equal(a.Chain.GetValidators(n + 1).Hash, b.Chain.Validators.Hash);
        }
        Assert.True(b.Chain.Ledger.Staking.GetValidator(dev1.Address)!.Tombstoned);
        Assert.Equal(a.Chain.ComputeSupply(), b.Chain.ComputeSupply());
        Assert.Equal(a.Chain.ValidatorSets.FirstHeights, b.Chain.ValidatorSets.FirstHeights);
    }
}
