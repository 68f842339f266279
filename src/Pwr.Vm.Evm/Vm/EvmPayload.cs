using System.Buffers.Binary;

namespace Pwr.Vm.Evm.Vm;

/// <summary>The EVM's VmData payload: (u32 big-endian length ‖ signed Ethereum transaction) repeated; or a 20-byte deposit address.</summary>
public static class EvmPayload
{
    public const int DepositSize = 20;

    public static byte[] Encode(IEnumerable<byte[]> transactions)
    {
        var list = transactions.ToList();
        var result = new byte[list.Sum(t => 4 + t.Length)];
        int offset = 0;
        foreach (var tx in list)
        {
            BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(offset), (uint)tx.Length);
            tx.CopyTo(result, offset + 4);
            offset += 4 + tx.Length;
        }
        return result;
    }

    /// <summary>Splits a payload into its transactions; false when a length runs past the end (the whole payload is then rejected).</summary>
    public static bool TrySplit(ReadOnlyMemory<byte> payload, out List<ReadOnlyMemory<byte>> transactions)
    {
        transactions = [];
        int offset = 0;
        var span = payload.Span;
        while (offset < span.Length)
        {
            if (span.Length - offset < 4) return false;
            uint length = BinaryPrimitives.ReadUInt32BigEndian(span[offset..]);
            offset += 4;
            if (length > (uint)(span.Length - offset)) return false;
            transactions.Add(payload.Slice(offset, (int)length));
            offset += (int)length;
        }
        return true;
    }
}
