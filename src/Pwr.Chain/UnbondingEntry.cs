using Pwr.Core;

namespace Pwr.Chain;

/// <summary>Units leaving a validator for a delegator, paid to the delegator's balance at the maturity height.</summary>
public readonly record struct UnbondingEntry(Address Validator, Address Delegator, ulong Amount)
{
    public const int EncodedSize = Address.Size * 2 + 8;

    public static byte[] EncodeList(IReadOnlyList<UnbondingEntry> entries)
    {
        var bytes = new byte[entries.Count * EncodedSize];
        var w = new BigEndianWriter(bytes);
        foreach (var e in entries)
        {
            w.WriteAddress(e.Validator);
            w.WriteAddress(e.Delegator);
            w.WriteU64(e.Amount);
        }
        return bytes;
    }

    public static List<UnbondingEntry> DecodeList(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % EncodedSize != 0) throw new InvalidDataException("stored unbonding queue has a bad length");
        var list = new List<UnbondingEntry>(bytes.Length / EncodedSize);
        var r = new BigEndianReader(bytes);
        while (r.Remaining > 0)
        {
            r.TryReadAddress(out var v);
            r.TryReadAddress(out var d);
            r.TryReadU64(out var amount);
            list.Add(new UnbondingEntry(v, d, amount));
        }
        return list;
    }
}
