namespace Pwr.Core;

/// <summary>Hex encoding with an optional 0x prefix, as every PWR API writes it.</summary>
public static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true)
        => prefix ? "0x" + Convert.ToHexStringLower(bytes) : Convert.ToHexStringLower(bytes);

    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null) return false;
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        if (s.Length % 2 != 0) return false;
        var result = new byte[s.Length / 2];
        if (Convert.FromHexString(s, result, out _, out int written) != System.Buffers.OperationStatus.Done || written != result.Length)
            return false;
        bytes = result;
        return true;
    }

    public static byte[] Decode(string text)
        => TryDecode(text, out var bytes) ? bytes : throw new FormatException($"'{Truncate(text)}' is not valid hex");

    internal static string Truncate(string? s) => s is null ? "null" : s.Length <= 80 ? s : s[..80] + "…";
}
