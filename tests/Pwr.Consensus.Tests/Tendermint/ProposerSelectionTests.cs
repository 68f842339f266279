using Pwr.Chain;
using Pwr.Consensus.Tendermint;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Tendermint;

public class ProposerSelectionTests
{
    private static ValidatorSet Set(params ulong[] powers)
        => new(powers.Select((p, i) => { var k = DevnetKeys.Validator(i); return new Validator(k.Address, k.PublicKey, p); }));

    [Fact]
    public void Each_validator_proposes_round_zero_in_proportion_to_its_power()
    {
        var set = Set(1, 2, 3, 4);
        var counts = new Dictionary<Address, int>();
        for (ulong h = 1; h <= 1000; h++)
        {
            var p = ProposerSelection.Proposer(set, h, 0);
            counts[p] = counts.GetValueOrDefault(p) + 1;
        }
        foreach (var v in set.Validators) Assert.Equal((int)v.Power * 100, counts[v.Address]);
    }

    [Fact]
    public void Consecutive_rounds_of_a_height_have_different_proposers()
    {
        var set = Set(100, 1, 1);
        for (ulong h = 1; h <= 50; h++)
            for (uint r = 0; r < 6; r++)
                Assert.NotEqual(ProposerSelection.Proposer(set, h, r), ProposerSelection.Proposer(set, h, r + 1));
    }

    [Fact]
    public void Heavy_validator_does_not_propose_one_long_run_of_heights()
    {
        var set = Set(5, 5);
        int longest = 0, run = 0;
        Address? last = null;
        for (ulong h = 1; h <= 100; h++)
        {
            var p = ProposerSelection.Proposer(set, h, 0);
            run = p == last ? run + 1 : 1;
            last = p;
            longest = Math.Max(longest, run);
        }
        Assert.True(longest <= 3, $"longest run {longest}");
    }

    [Fact]
    public void Selection_is_a_function_of_set_height_and_round()
    {
        var a = Set(3, 1, 7);
        var b = Set(3, 1, 7);
        for (ulong h = 0; h < 30; h++)
            Assert.Equal(ProposerSelection.Proposer(a, h, (uint)(h % 3)), ProposerSelection.Proposer(b, h, (uint)(h % 3)));
    }

    [Fact]
    public void Single_validator_always_proposes()
    {
        var set = Set(9);
        Assert.Equal(set.Validators[0].Address, ProposerSelection.Proposer(set, 12345, 7));
    }
}
