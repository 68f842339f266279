using System.Globalization;
using Pwr.Core;

namespace Pwr.Cli;

/// <summary>Resolves `--from` values: `dev0`…`dev9` (the devnet's well-known keys) or a key file path.</summary>
public static class KeyArgument
{
    public static FalconKeyPair Resolve(string value)
    {
        if (TryDevIndex(value, out int i)) return DevnetKeys.Account(i);
        return KeyFile.Load(value);
    }

    /// <summary>An address given as hex or as `devN`.</summary>
    public static Address ResolveAddress(string value)
    {
        if (TryDevIndex(value, out int i)) return DevnetKeys.Account(i).Address;
        if (Address.TryParse(value, out var a)) return a;
        throw new ArgumentException($"'{value}' is neither a 20-byte hex address nor dev0…dev9");
    }

    private static bool TryDevIndex(string value, out int index)
    {
        index = -1;
        return value.StartsWith("dev", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(value.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && index is >= 0 and < DevnetKeys.AccountCount;
    }
}
