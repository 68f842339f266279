using Pwr.Core;

namespace Pwr.Vm.Evm.Tests.Tracing;

/// <summary>A tiny assembler for hand-written test contracts: pushes with minimal width and the call opcodes.</summary>
internal sealed class Asm
{
    private readonly List<byte> _code = [];

    public Asm Op(params byte[] ops)
    {
        _code.AddRange(ops);
        return this;
    }

    public Asm Push(ulong value)
    {
        int width = 1;
        while (width < 8 && value >> (8 * width) != 0) width++;
        _code.Add((byte)(0x5f + width));
        for (int i = width - 1; i >= 0; i--) _code.Add((byte)(value >> (8 * i)));
        return this;
    }

    public Asm Push(byte[] bytes)
    {
        _code.Add((byte)(0x5f + bytes.Length));
        _code.AddRange(bytes);
        return this;
    }

    public Asm Push(Address address) => Push(address.ToArray());

    /// <summary>CALL or CALLCODE (with value) or STATICCALL/DELEGATECALL, leaving the success flag popped.</summary>
    public Asm Call(byte op, ulong gas, Address to, ulong value = 0, int inOffset = 0, int inLength = 0, int outOffset = 0, int outLength = 0)
    {
        Push((ulong)outLength).Push((ulong)outOffset).Push((ulong)inLength).Push((ulong)inOffset);
        if (op is 0xf1 or 0xf2) Push(value);
        return Push(to).Push(gas).Op(op, 0x50);
    }

    /// <summary>Writes up to 32 bytes at memory offset 0 (left-aligned), for call input or init code.</summary>
    public Asm StoreAtZero(byte[] bytes)
    {
        var word = new byte[32];
        bytes.CopyTo(word, 0);
        return Push(word).Push(0).Op(0x52);
    }

    public byte[] Build() => [.. _code];

    /// <summary>Code that returns (or reverts with) <paramref name="data"/>, copied from behind the code.</summary>
    public static byte[] Returning(byte[] data, bool revert = false)
    {
        const int prefix = 12;
        byte[] code = [0x60, (byte)data.Length, 0x60, prefix, 0x60, 0x00, 0x39, 0x60, (byte)data.Length, 0x60, 0x00, revert ? (byte)0xfd : (byte)0xf3];
        return [.. code, .. data];
    }

    /// <summary>Solidity's Error(string) revert payload.</summary>
    public static byte[] ErrorString(string message)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(message);
        var data = new byte[4 + 32 + 32 + (text.Length + 31) / 32 * 32];
        byte[] selector = [0x08, 0xc3, 0x79, 0xa0];
        selector.CopyTo(data, 0);
        data[4 + 31] = 0x20;
        data[4 + 32 + 31] = (byte)text.Length;
        text.CopyTo(data, 4 + 64);
        return data;
    }
}
