using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus.Tendermint;

/// <summary>
/// Picks the proposer of (height, round), deterministically and in O(n).
/// Round 0: the total power T is laid out as consecutive ranges, one per validator in address order, each as long
/// as its power; height h lands on slot (h × g) mod T, where g is coprime to T and near T × 0.618. Because
/// h ↦ h × g mod T permutes 0..T−1, every T consecutive heights give each validator exactly as many slots as its
/// power, and the golden-ratio stride spreads a validator's heights out instead of handing it a contiguous run.
/// Round r &gt; 0: the validator r places after round 0's, in address order, so consecutive rounds of a height always
/// have different proposers when n &gt; 1 and a dead proposer costs one round.
/// </summary>
public static class ProposerSelection
{
    public static Address Proposer(ValidatorSet validators, ulong height, uint round)
        => validators.Validators[ProposerIndex(validators, height, round)].Address;

    public static int ProposerIndex(ValidatorSet validators, ulong height, uint round)
    {
        var list = validators.Validators;
        ulong total = validators.TotalPower;
        ulong slot = (ulong)((UInt128)height * Stride(total) % total);
        int index = 0;
        ulong end = 0;
        for (int i = 0; i < list.Count; i++)
        {
            end += list[i].Power;
            if (slot < end) { index = i; break; }
        }
        return (int)(((ulong)index + round) % (ulong)list.Count);
    }

    /// <summary>The largest g ≤ T × 0.618 coprime to T (1 for T ≤ 2).</summary>
    private static ulong Stride(ulong total)
    {
        if (total <= 2) return 1;
        ulong g = (ulong)((UInt128)total * 618 / 1000);
        if (g == 0) g = 1;
        while (g > 1 && Gcd(g, total) != 1) g--;
        return g;
    }

    private static ulong Gcd(ulong a, ulong b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
