using System.Buffers.Binary;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Vm;

/// <summary>A PWR deposit as the EVM applied it inside a block: after <paramref name="ReceiptsBefore"/> executed transactions.</summary>
public readonly record struct EvmBlockDeposit(uint ReceiptsBefore, Address To, UInt256 Wei)
{
    private const int Size = 4 + Address.Size + 32;

    /// <summary>Credits the deposit as a transaction of its own: the VM executing the block and a trace replaying it.</summary>
    public void ApplyTo(WorldState world)
    {
        world.AddBalance(To, Wei);
        world.FinalizeTransaction();
    }

    /// <summary>(u32 BE receipts before ‖ address ‖ wei 32 BE)*, in block order.</summary>
    public static byte[] EncodeList(IReadOnlyList<EvmBlockDeposit> deposits)
    {
        var bytes = new byte[deposits.Count * Size];
        for (int i = 0; i < deposits.Count; i++)
        {
            var slot = bytes.AsSpan(i * Size, Size);
            BinaryPrimitives.WriteUInt32BigEndian(slot, deposits[i].ReceiptsBefore);
            deposits[i].To.WriteTo(slot[4..]);
            deposits[i].Wei.WriteBigEndian(slot[(4 + Address.Size)..]);
        }
        return bytes;
    }

    public static List<EvmBlockDeposit> DecodeList(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % Size != 0) throw new FormatException($"a block's deposit list is a multiple of {Size} bytes, got {bytes.Length}");
        var list = new List<EvmBlockDeposit>(bytes.Length / Size);
        for (int at = 0; at < bytes.Length; at += Size)
        {
            var slot = bytes.Slice(at, Size);
            list.Add(new EvmBlockDeposit(BinaryPrimitives.ReadUInt32BigEndian(slot), new Address(slot.Slice(4, Address.Size)),
                new UInt256(slot[(4 + Address.Size)..])));
        }
        return list;
    }
}
