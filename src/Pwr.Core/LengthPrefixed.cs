using System.Buffers.Binary;

namespace Pwr.Core;

/// <summary>
/// A list of signed transactions as (u32 big-endian length ‖ bytes)*: the EVM's VmData payload and the binary
/// /broadcastBatch body share this one format.
/// </summary>
public static class LengthPrefixed
{
    public static byte[] Encode(IReadOnlyList<byte[]> items) => Encode(items, 0, items.Count);

    /// <summary>Encodes items[from..to).</summary>
    public static byte[] Encode(IReadOnlyList<byte[]> items, int from, int to)
    {
        int size = 0;
        for (int i = from; i < to; i++) size = checked(size + 4 + items[i].Length);
        var result = new byte[size];
        for (int i = from, offset = 0; i < to; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(offset), (uint)items[i].Length);
            items[i].CopyTo(result, offset + 4);
            offset += 4 + items[i].Length;
        }
        return result;
    }

    /// <summary>
    /// Splits data into its items (slices, no copies); false with the reason when a length prefix is cut, runs past
    /// the end, or there are more than <paramref name="maxItems"/> (checked as it goes: empty items cost 4 bytes each).
    /// </summary>
    public static bool TrySplit(ReadOnlyMemory<byte> data, out List<ReadOnlyMemory<byte>> items, out string error, int maxItems = int.MaxValue)
    {
        items = [];
        error = "";
        var span = data.Span;
        for (int offset = 0; offset < span.Length;)
        {
            if (span.Length - offset < 4) { error = $"ends inside a length prefix at byte {offset}"; return false; }
            uint length = BinaryPrimitives.ReadUInt32BigEndian(span[offset..]);
            int left = span.Length - offset - 4;
            if (length > (uint)left) { error = $"transaction {items.Count} claims {length} bytes, only {left} remain"; return false; }
            if (items.Count == maxItems) { error = $"at most {maxItems} transactions per batch"; return false; }
            items.Add(data.Slice(offset + 4, (int)length));
            offset += 4 + (int)length;
        }
        return true;
    }
}
