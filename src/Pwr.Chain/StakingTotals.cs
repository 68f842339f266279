using Pwr.Core;

namespace Pwr.Chain;

/// <summary>Chain-wide staking sums, kept in the ledger so that supply audits need no scan of the stakes.</summary>
public readonly record struct StakingTotals(ulong Bonded, ulong Unbonding, ulong Burned)
{
    public byte[] Encode()
    {
        var bytes = new byte[24];
        var w = new BigEndianWriter(bytes);
        w.WriteU64(Bonded);
        w.WriteU64(Unbonding);
        w.WriteU64(Burned);
        return bytes;
    }

    public static StakingTotals Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new BigEndianReader(bytes);
        if (bytes.Length != 24 || !r.TryReadU64(out var b) || !r.TryReadU64(out var u) || !r.TryReadU64(out var x))
            throw new InvalidDataException("stored staking totals are malformed");
        return new StakingTotals(b, u, x);
    }
}
