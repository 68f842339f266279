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
    /// <remarks>
    /// Digits only, no sign or exponent; a PWR amount may have at most 9 significant fraction digits (one unit).
    /// Parsed by hand rather than through decimal, which throws on overflow and rounds past 28 digits.
    /// </remarks>
    public static bool TryParse(string? text, out ulong units)
    {
        units = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (!s.EndsWith("pwr", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out units);

        s = s[..^3].TrimEnd();
        int dot = s.IndexOf('.');
        ReadOnlySpan<char> whole = dot < 0 ? s : s[..dot];
        ReadOnlySpan<char> fraction = dot < 0 ? [] : s[(dot + 1)..].TrimEnd('0');
        if (whole.IsEmpty && (dot < 0 || s[(dot + 1)..].IsEmpty)) return false; // "", "."
        if (fraction.Length > 9 || !IsDigits(whole) || !IsDigits(fraction)) return false;

        ulong wholePwr = 0;
        if (!whole.IsEmpty && !ulong.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out wholePwr)) return false;
        ulong fractionUnits = 0;
        foreach (char c in fraction) fractionUnits = fractionUnits * 10 + (ulong)(c - '0');
        for (int i = fraction.Length; i < 9; i++) fractionUnits *= 10;

        UInt128 total = (UInt128)wholePwr * PerPwr + fractionUnits;
        if (total > ulong.MaxValue) return false;
        units = (ulong)total;
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (c is < '0' or > '9') return false;
        return true;
    }
}
