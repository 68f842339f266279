using System.Text;

namespace Pwr.Core;

/// <summary>The devnet's well-known keys, derived from fixed seeds so they are the same on every machine.</summary>
public static class DevnetKeys
{
    public const int AccountCount = 10;
    public const string Seed = "pwr-devnet-v1";

    /// <summary>Developer account i (dev0…dev9). Public knowledge: never hold real value with these.</summary>
    public static FalconKeyPair Account(int index)
    {
        if (index is < 0 or >= AccountCount) throw new ArgumentOutOfRangeException(nameof(index), $"dev accounts are dev0…dev{AccountCount - 1}");
        return FromLabel($"account/{index}");
    }

    /// <summary>The devnet's single validator key.</summary>
    public static FalconKeyPair Validator(int index = 0) => FromLabel($"validator/{index}");

    /// <summary>Any other deterministic key of the devnet family (benchmark senders, wrapper keys).</summary>
    public static FalconKeyPair FromLabel(string label)
        => Falcon512.FromSeed(Keccak.Hash256(Encoding.UTF8.GetBytes(Seed + "/" + label)).ToArray());
}
