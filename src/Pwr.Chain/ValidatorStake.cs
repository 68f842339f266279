using Pwr.Core;

namespace Pwr.Chain;

/// <summary>
/// A validator candidate's staking record. Delegations hold shares; <see cref="Tokens"/> are the bonded units behind
/// them (the voting power). They are equal until a slash burns tokens, which lowers every delegator's stake
/// proportionally without touching each delegation. <see cref="UnbondingHeights"/> lists the maturity heights
/// where this validator has unbonding entries, so a slash reaches them without a scan.
/// </summary>
public sealed record ValidatorStake(
    Address Address,
    byte[] PublicKey,
    ulong Tokens,
    ulong Shares,
    ulong SelfShares,
    bool Tombstoned,
    ulong JoinedHeight,
    IReadOnlyList<ulong> UnbondingHeights)
{
    /// <summary>The units a number of shares is worth now (floor); all of the tokens for the last shares.</summary>
    public ulong TokensFor(ulong shares)
        => shares >= Shares ? Tokens : (ulong)((UInt128)shares * Tokens / Shares);

    public byte[] Encode()
    {
        var bytes = new byte[Address.Size + 2 + PublicKey.Length + 8 * 3 + 1 + 8 + 2 + 8 * UnbondingHeights.Count];
        var w = new BigEndianWriter(bytes);
        w.WriteAddress(Address);
        w.WriteU16((ushort)PublicKey.Length);
        w.WriteBytes(PublicKey);
        w.WriteU64(Tokens);
        w.WriteU64(Shares);
        w.WriteU64(SelfShares);
        w.WriteU8(Tombstoned ? (byte)1 : (byte)0);
        w.WriteU64(JoinedHeight);
        w.WriteU16((ushort)UnbondingHeights.Count);
        foreach (var h in UnbondingHeights) w.WriteU64(h);
        return bytes;
    }

    public static ValidatorStake Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new BigEndianReader(bytes);
        if (!r.TryReadAddress(out var address) || !r.TryReadU16(out var keyLen) || !r.TryReadBytes(keyLen, out var key)
            || !r.TryReadU64(out var tokens) || !r.TryReadU64(out var shares) || !r.TryReadU64(out var self)
            || !r.TryReadU8(out var tomb) || !r.TryReadU64(out var joined) || !r.TryReadU16(out var count))
            throw new InvalidDataException("stored validator stake record is truncated");
        var heights = new ulong[count];
        for (int i = 0; i < count; i++)
            if (!r.TryReadU64(out heights[i])) throw new InvalidDataException("stored validator stake record is truncated");
        if (r.Remaining != 0) throw new InvalidDataException("stored validator stake record has trailing bytes");
        return new ValidatorStake(address, key.ToArray(), tokens, shares, self, tomb == 1, joined, heights);
    }
}
