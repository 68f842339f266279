using System.Globalization;

namespace Pwr.Core;

/// <summary>PWR amounts: balances are integer units, 1 PWR = 10^9 units.</summary>
public static class Units
{
    public const ulong PerPwr = 1_000_000_000;

    public static string Format(ulong units)
    {
        ulong whole = units / PerPwr, frac = units % PerPwr;
        return frac == 0
            ? whole.ToString(CultureInfo.InvariantCulture) + " PWR"
            : whole.ToString(CultureInfo.InvariantCulture) + "." + frac.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0') + " PWR";
    }

    /// <summary>Parses a unit count ("1500") or a PWR amount with the suffix ("1.5PWR", "1.5 PWR").</summary>
    public static bool TryParse(string? text, out ulong units)
    {
        units = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        if (s.EndsWith("pwr", StringComparison.OrdinalIgnoreCase))
        {
            if (!decimal.TryParse(s[..^3].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var pwr) || pwr < 0) return false;
            var u = pwr * PerPwr;
            if (u != decimal.Truncate(u) || u > ulong.MaxValue) return false;
            units = (ulong)u;
            return true;
        }
        return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out units);
    }
}
