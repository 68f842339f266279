using System.Text;
using Pwr.Core;

namespace Pwr.Vm.Token;

/// <summary>Builds <see cref="TokenVm"/> payloads (the data of a VmData transaction); see <see cref="TokenVm"/> for the format.</summary>
public static class TokenPayload
{
    public const byte CreateOp = 1;
    public const byte TransferOp = 2;
    public const int MaxSymbolLength = 12;

    /// <summary>op 1 ‖ symbol length u8 ‖ symbol ‖ supply u64.</summary>
    public static byte[] Create(string symbol, ulong supply)
    {
        var s = SymbolBytes(symbol);
        var payload = new byte[2 + s.Length + 8];
        var w = new BigEndianWriter(payload);
        w.WriteU8(CreateOp);
        w.WriteU8((byte)s.Length);
        w.WriteBytes(s);
        w.WriteU64(supply);
        return payload;
    }

    /// <summary>op 2 ‖ symbol length u8 ‖ symbol ‖ receiver (20 bytes) ‖ amount u64.</summary>
    public static byte[] Transfer(string symbol, Address to, ulong amount)
    {
        var s = SymbolBytes(symbol);
        var payload = new byte[2 + s.Length + Address.Size + 8];
        var w = new BigEndianWriter(payload);
        w.WriteU8(TransferOp);
        w.WriteU8((byte)s.Length);
        w.WriteBytes(s);
        w.WriteAddress(to);
        w.WriteU64(amount);
        return payload;
    }

    /// <summary>1–12 characters, each A–Z or 0–9.</summary>
    public static bool IsValidSymbol(ReadOnlySpan<byte> symbol)
    {
        if (symbol.Length is 0 or > MaxSymbolLength) return false;
        foreach (byte c in symbol)
            if (c is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9'))) return false;
        return true;
    }

    public static bool IsValidSymbol(string symbol) => symbol.Length <= MaxSymbolLength && IsValidSymbol(Encoding.ASCII.GetBytes(symbol));

    private static byte[] SymbolBytes(string symbol)
        => IsValidSymbol(symbol) ? Encoding.ASCII.GetBytes(symbol) : throw new ArgumentException($"'{symbol}' is not a token symbol (1–12 of A–Z, 0–9)", nameof(symbol));
}
