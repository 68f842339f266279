using System.Diagnostics.CodeAnalysis;
using Pwr.Core;

namespace Pwr.Chain;

/// <summary>
/// Wire encoding of a block for proposals and block sync: header ‖ u8 has-commit ‖ [u32 len ‖ commit] ‖ u32 count ‖
/// (u32 len ‖ signed tx)*. Results are not sent: a receiver re-executes the transactions and checks the state root.
/// </summary>
public static class BlockCodec
{
    public static byte[] Encode(Block block)
    {
        var commit = block.Commit?.Encode();
        long size = BlockHeader.EncodedSize + 1 + (commit is null ? 0 : 4 + commit.Length) + 4;
        foreach (var tx in block.Transactions) size += 4 + tx.Raw.Length;
        var bytes = new byte[checked((int)size)];
        var w = new BigEndianWriter(bytes);
        w.WriteBytes(block.Header.Encode());
        w.WriteU8(commit is null ? (byte)0 : (byte)1);
        if (commit is not null)
        {
            w.WriteU32((uint)commit.Length);
            w.WriteBytes(commit);
        }
        w.WriteU32((uint)block.Transactions.Count);
        foreach (var tx in block.Transactions)
        {
            w.WriteU32((uint)tx.Raw.Length);
            w.WriteBytes(tx.Raw);
        }
        return bytes;
    }

    /// <summary>Decodes a block; its results are empty until it is executed. False with a reason on any malformation.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, int maxTransactionBytes, [NotNullWhen(true)] out Block? block, out string error)
    {
        block = null;
        var r = new BigEndianReader(bytes);
        if (!r.TryReadBytes(BlockHeader.EncodedSize, out var headerBytes) || !BlockHeader.TryDecode(headerBytes, out var header)) { error = "truncated header"; return false; }
        if (!r.TryReadU8(out var hasCommit) || hasCommit > 1) { error = "bad commit flag"; return false; }
        Commit? commit = null;
        if (hasCommit == 1)
        {
            if (!r.TryReadU32(out var len) || len > r.Remaining || !r.TryReadBytes((int)len, out var cb) || !Commit.TryDecode(cb, out commit)) { error = "malformed commit"; return false; }
        }
        if (!r.TryReadU32(out var count) || count > r.Remaining / 4) { error = "bad transaction count"; return false; }
        var txs = new Transaction[count];
        for (int i = 0; i < txs.Length; i++)
        {
            if (!r.TryReadU32(out var len) || len > r.Remaining || len > maxTransactionBytes || !r.TryReadBytes((int)len, out var raw)) { error = $"transaction {i} is truncated or oversized"; return false; }
            if (!TransactionCodec.TryDecode(raw.ToArray(), maxTransactionBytes, out var tx, out _, out var message)) { error = $"transaction {i}: {message}"; return false; }
            txs[i] = tx;
        }
        if (r.Remaining != 0) { error = "trailing bytes after the block"; return false; }
        block = new Block { Header = header, Transactions = txs, Results = [], Commit = commit };
        error = "";
        return true;
    }
}
