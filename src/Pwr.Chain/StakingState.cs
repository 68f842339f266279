using System.Buffers.Binary;
using Pwr.Core;
using Pwr.Storage;

namespace Pwr.Chain;

/// <summary>
/// The committed staking ledger in one <see cref="StateTree"/> (part of the ledger root): totals, validator records,
/// delegations (shares per validator and delegator), the unbonding queue by maturity height, and the candidate list.
/// </summary>
public sealed class StakingState(StateTree tree)
{
    internal StateTree Tree => tree;

    public StakingTotals Totals => tree.Get(StakingKeys.Totals) is { } b ? StakingTotals.Decode(b) : default;

    public ValidatorStake? GetValidator(Address validator)
        => tree.Get(StakingKeys.Validator(validator)) is { } b ? ValidatorStake.Decode(b) : null;

    /// <summary>Shares the delegator holds with the validator (its self-stake when both are the same).</summary>
    public ulong GetShares(Address validator, Address delegator)
        => tree.Get(StakingKeys.Delegation(validator, delegator)) is { } b ? BinaryPrimitives.ReadUInt64BigEndian(b) : 0;

    /// <summary>What the delegator's shares are worth in units now.</summary>
    public ulong StakeOf(Address validator, Address delegator)
        => GetValidator(validator) is { } v ? v.TokensFor(GetShares(validator, delegator)) : 0;

    public IReadOnlyList<UnbondingEntry> GetUnbonding(ulong maturityHeight)
        => tree.Get(StakingKeys.Unbonding(maturityHeight)) is { } b ? UnbondingEntry.DecodeList(b) : [];

    /// <summary>Addresses of every validator that may be active (joined, not tombstoned), sorted.</summary>
    public IReadOnlyList<Address> GetCandidates()
        => tree.Get(StakingKeys.Candidates) is { } b ? StakingKeys.DecodeAddresses(b) : [];
}

/// <summary>Keys of the staking tree; the first byte says what a key holds.</summary>
internal static class StakingKeys
{
    public static readonly byte[] Totals = [0x00];
    public static readonly byte[] Candidates = [0x04];

    public static byte[] Validator(Address v)
    {
        var k = new byte[1 + Address.Size];
        k[0] = 0x01;
        v.WriteTo(k.AsSpan(1));
        return k;
    }

    public static byte[] Delegation(Address v, Address d)
    {
        var k = new byte[1 + 2 * Address.Size];
        k[0] = 0x02;
        v.WriteTo(k.AsSpan(1));
        d.WriteTo(k.AsSpan(1 + Address.Size));
        return k;
    }

    public static byte[] Unbonding(ulong maturity)
    {
        var k = new byte[9];
        k[0] = 0x03;
        BinaryPrimitives.WriteUInt64BigEndian(k.AsSpan(1), maturity);
        return k;
    }

    public static byte[] EncodeAddresses(IReadOnlyList<Address> addresses)
    {
        var bytes = new byte[addresses.Count * Address.Size];
        for (int i = 0; i < addresses.Count; i++) addresses[i].WriteTo(bytes.AsSpan(i * Address.Size));
        return bytes;
    }

    public static List<Address> DecodeAddresses(ReadOnlySpan<byte> bytes)
    {
        var list = new List<Address>(bytes.Length / Address.Size);
        for (int i = 0; i + Address.Size <= bytes.Length; i += Address.Size) list.Add(new Address(bytes.Slice(i, Address.Size)));
        return list;
    }

    public static byte[] U64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, v);
        return b;
    }
}
