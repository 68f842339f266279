using System.Globalization;
using System.Text;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Execution;

/// <summary>Reads Solidity's revert payloads: Error(string) and Panic(uint256), as geth's abi.UnpackRevert does.</summary>
public static class SolidityRevert
{
    private const uint ErrorSelector = 0x08c379a0;
    private const uint PanicSelector = 0x4e487b71;
    private static readonly string?[] PanicReasons = BuildPanicReasons();

    /// <summary>The message of an Error(string) payload; null for anything else.</summary>
    public static string? ErrorMessage(ReadOnlySpan<byte> data)
    {
        if (Selector(data) != ErrorSelector) return null;
        var args = data[4..];
        if (args.Length < 32) return null;
        var offset = new UInt256(args[..32]);
        if (!offset.FitsInUlong || offset.U0 > (ulong)args.Length - 32) return null;
        int at = (int)offset.U0;
        var length = new UInt256(args.Slice(at, 32));
        if (!length.FitsInUlong || length.U0 > (ulong)(args.Length - at - 32)) return null;
        return Encoding.UTF8.GetString(args.Slice(at + 32, (int)length.U0));
    }

    /// <summary>The Error(string) message or the Panic(uint256) meaning; null for any other data.</summary>
    public static string? Reason(ReadOnlySpan<byte> data)
    {
        if (Selector(data) != PanicSelector) return ErrorMessage(data);
        var args = data[4..];
        if (args.Length < 32) return null;
        var code = new UInt256(args[..32]);
        if (code.FitsInUlong && code.U0 < (ulong)PanicReasons.Length && PanicReasons[code.U0] is { } reason) return reason;
        return "unknown panic code: 0x" + code.ToBigInteger().ToString("x", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0');
    }

    private static uint Selector(ReadOnlySpan<byte> data)
        => data.Length < 4 ? 0 : (uint)(data[0] << 24 | data[1] << 16 | data[2] << 8 | data[3]);

    private static string?[] BuildPanicReasons()
    {
        // Solidity's panic codes, worded as geth (after ethers) words them.
        var reasons = new string?[0x52];
        reasons[0x00] = "generic panic";
        reasons[0x01] = "assert(false)";
        reasons[0x11] = "arithmetic underflow or overflow";
        reasons[0x12] = "division or modulo by zero";
        reasons[0x21] = "enum overflow";
        reasons[0x22] = "invalid encoded storage byte array accessed";
        reasons[0x31] = "out-of-bounds array access; popping on an empty array";
        reasons[0x32] = "out-of-bounds access of an array or bytesN";
        reasons[0x41] = "out of memory";
        reasons[0x51] = "uninitialized function";
        return reasons;
    }
}
