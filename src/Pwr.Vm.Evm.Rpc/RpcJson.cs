using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Rpc;

/// <summary>Ethereum JSON encodings: quantities as minimal 0x-hex, data as 0x-hex bytes; parsing that answers -32602.</summary>
internal static class RpcJson
{
    public static string Quantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    public static string Quantity(long value) => Quantity((ulong)value);

    public static string Quantity(UInt256 value) => Quantity(value.ToBigInteger());

    public static string Quantity(BigInteger value)
    {
        if (value.IsZero) return "0x0";
        var hex = value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        return "0x" + (hex.Length == 0 ? "0" : hex);
    }

    public static string Data(ReadOnlySpan<byte> bytes) => Hex.Encode(bytes);

    public static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.ToArray());

    public static JsonElement Param(JsonElement parameters, int index, string name)
    {
        if (parameters.ValueKind != JsonValueKind.Array || parameters.GetArrayLength() <= index)
            throw RpcException.Params($"missing value for required argument {index} ({name})");
        return parameters[index];
    }

    public static bool TryOptional(JsonElement parameters, int index, out JsonElement value)
    {
        value = default;
        if (parameters.ValueKind != JsonValueKind.Array || parameters.GetArrayLength() <= index) return false;
        value = parameters[index];
        return value.ValueKind != JsonValueKind.Null;
    }

    public static Address ParseAddress(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.String || !Address.TryParse(e.GetString(), out var a))
            throw RpcException.Params($"invalid argument {name}: hex string of 20 bytes expected");
        return a;
    }

    public static Hash32 ParseHash(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.String || !Hash32.TryParse(e.GetString(), out var h))
            throw RpcException.Params($"invalid argument {name}: hex string of 32 bytes expected");
        return h;
    }

    public static byte[] ParseData(JsonElement e, string name)
    {
        var s = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (s is "0x" or "") return [];
        if (s is null || !s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !Hex.TryDecode(s, out var bytes))
            throw RpcException.Params($"invalid argument {name}: 0x-prefixed hex string expected");
        return bytes;
    }

    public static BigInteger ParseQuantity(JsonElement e, string name)
    {
        var s = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (s is null || s.Length < 3 || !s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || s.Length > 66
            || !BigInteger.TryParse("0" + s[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
            throw RpcException.Params($"invalid argument {name}: hex quantity expected");
        return v;
    }

    public static ulong ParseU64(JsonElement e, string name)
    {
        var v = ParseQuantity(e, name);
        if (v > ulong.MaxValue) throw RpcException.Params($"invalid argument {name}: quantity too large");
        return (ulong)v;
    }
}
