namespace Pwr.Chain;

/// <summary>The chain's units by where they are; <see cref="Total"/> + <see cref="Burned"/> always equals the genesis supply.</summary>
public readonly record struct SupplyBreakdown(ulong Balances, ulong Bonded, ulong Unbonding, ulong Burned)
{
    /// <summary>Every unit that still exists: balances, bonded and unbonding.</summary>
    public ulong Total => checked(Balances + Bonded + Unbonding);
}
