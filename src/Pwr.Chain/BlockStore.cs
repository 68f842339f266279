using System.Buffers.Binary;
using System.Text;
using Pwr.Core;
using Pwr.Storage;

namespace Pwr.Chain;

/// <summary>A transaction as stored in a finalized block, with where it is and what it did.</summary>
public sealed record StoredTransaction(ulong BlockNumber, uint Position, Transaction Transaction, TxResult Result);

/// <summary>Finalized blocks, their transactions and the indexes over them (by hash, and by VM ID).</summary>
public sealed class BlockStore(ChainDatabase db)
{
    private static readonly byte[] HeadKey = "head"u8.ToArray();
    private volatile BlockHeader? _head;

    /// <summary>The latest finalized header (block 0 = genesis), or null before genesis is written.</summary>
    public BlockHeader? Head => _head ??= LoadHead();

    public ulong Height => Head?.Number ?? 0;

    private BlockHeader? LoadHead()
    {
        var bytes = db.Store.Get(db.Meta, HeadKey);
        return bytes is null ? null : GetHeader(BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    /// <summary>Adds a finalized block, its indexes and the new head to a batch.</summary>
    public void Stage(Block block, StoreBatch batch)
    {
        Span<byte> num = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(num, block.Number);
        var header = block.Header.Encode();
        var commit = block.Commit?.Encode() ?? [];
        var value = new byte[header.Length + commit.Length];
        header.CopyTo(value, 0);
        commit.CopyTo(value, header.Length);
        batch.Put(db.Blocks, num, value);

        Span<byte> txKey = stackalloc byte[12];
        Span<byte> vmKey = stackalloc byte[20];
        Span<byte> hash = stackalloc byte[32];
        for (int i = 0; i < block.Transactions.Count; i++)
        {
            var tx = block.Transactions[i];
            BinaryPrimitives.WriteUInt64BigEndian(txKey, block.Number);
            BinaryPrimitives.WriteUInt32BigEndian(txKey[8..], (uint)i);
            batch.Put(db.BlockTransactions, txKey, EncodeStored(tx, block.Results[i]));
            tx.Hash.WriteTo(hash);
            batch.Put(db.TransactionIndex, hash, txKey);
            if (tx.Type == TransactionType.VmData)
            {
                BinaryPrimitives.WriteUInt64BigEndian(vmKey, tx.VmId);
                txKey.CopyTo(vmKey[8..]);
                batch.Put(db.VmTransactionIndex, vmKey, []);
            }
        }
        batch.Put(db.Meta, HeadKey, num);
    }

    /// <summary>Makes a staged block the head; call once its batch is durable.</summary>
    public void Commit(Block block) => _head = block.Header;

    public BlockHeader? GetHeader(ulong number)
    {
        var bytes = GetBlockRecord(number);
        return bytes is not null && BlockHeader.TryDecode(bytes.AsSpan(0, BlockHeader.EncodedSize), out var h) ? h : null;
    }

    public Commit? GetCommit(ulong number)
    {
        var bytes = GetBlockRecord(number);
        if (bytes is null || bytes.Length == BlockHeader.EncodedSize) return null;
        return Chain.Commit.TryDecode(bytes.AsSpan(BlockHeader.EncodedSize), out var c) ? c : null;
    }

    public int GetTransactionCount(ulong number) => GetTransactionHashes(number).Count;

    public IReadOnlyList<StoredTransaction> GetTransactions(ulong number)
    {
        var list = new List<StoredTransaction>();
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(prefix, number);
        foreach (var (key, value) in db.Store.Scan(db.BlockTransactions, prefix))
            list.Add(DecodeStored(number, BinaryPrimitives.ReadUInt32BigEndian(key.AsSpan(8)), value));
        return list;
    }

    public StoredTransaction? GetTransaction(Hash32 hash)
    {
        Span<byte> key = stackalloc byte[32];
        hash.WriteTo(key);
        var location = db.Store.Get(db.TransactionIndex, key);
        return location is null ? null : GetTransactionAt(location);
    }

    private StoredTransaction? GetTransactionAt(byte[] location)
    {
        var value = db.Store.Get(db.BlockTransactions, location);
        return value is null ? null : DecodeStored(BinaryPrimitives.ReadUInt64BigEndian(location), BinaryPrimitives.ReadUInt32BigEndian(location.AsSpan(8)), value);
    }

    /// <summary>A VM's transactions in blocks [from, to], in chain order; cost grows with their number only.</summary>
    public IReadOnlyList<StoredTransaction> GetVmTransactions(ulong vmId, ulong fromBlock, ulong toBlock)
    {
        var list = new List<StoredTransaction>();
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(prefix, vmId);
        var start = new byte[16];
        prefix.CopyTo(start, 0);
        BinaryPrimitives.WriteUInt64BigEndian(start.AsSpan(8), fromBlock);
        foreach (var (key, _) in db.Store.Scan(db.VmTransactionIndex, prefix, start))
        {
            ulong number = BinaryPrimitives.ReadUInt64BigEndian(key.AsSpan(8));
            if (number > toBlock) break;
            if (GetTransactionAt(key[8..]) is { } stored) list.Add(stored);
        }
        return list;
    }

    /// <summary>
    /// Blocks [from, to] (up to the head) with the VM's successful VmData transactions: what a VM host captures.
    /// Failed ones (their value never moved) are not the VM's input.
    /// </summary>
    public IReadOnlyList<(BlockHeader Header, IReadOnlyList<StoredTransaction> Transactions)> GetVmBlocks(ulong vmId, ulong fromBlock, ulong toBlock)
    {
        toBlock = Math.Min(toBlock, Height);
        var result = new List<(BlockHeader, IReadOnlyList<StoredTransaction>)>();
        if (fromBlock > toBlock) return result;
        var byBlock = new Dictionary<ulong, List<StoredTransaction>>();
        foreach (var t in GetVmTransactions(vmId, fromBlock, toBlock))
        {
            if (!t.Result.Success) continue;
            if (!byBlock.TryGetValue(t.BlockNumber, out var list)) byBlock[t.BlockNumber] = list = [];
            list.Add(t);
        }
        for (ulong n = fromBlock; n <= toBlock; n++)
        {
            var header = GetHeader(n);
            if (header is null) break;
            result.Add((header, byBlock.TryGetValue(n, out var txs) ? txs : []));
        }
        return result;
    }

    private byte[]? GetBlockRecord(ulong number)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, number);
        return db.Store.Get(db.Blocks, key);
    }

    // Stored form: success u8 ‖ tx hash (32) ‖ u16 error length ‖ error (UTF-8) ‖ signed tx. Keeping the hash
    // lets readers list a block's hashes, and decode its transactions, without hashing them again.
    private const int HashOffset = 1, ErrorLengthOffset = 33, ErrorOffset = 35;

    private static byte[] EncodeStored(Transaction tx, TxResult result)
    {
        var error = result.Error is null ? [] : Encoding.UTF8.GetBytes(result.Error);
        var value = new byte[ErrorOffset + error.Length + tx.Raw.Length];
        value[0] = result.Success ? (byte)1 : (byte)0;
        tx.Hash.WriteTo(value.AsSpan(HashOffset));
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(ErrorLengthOffset), (ushort)error.Length);
        error.CopyTo(value, ErrorOffset);
        tx.Raw.CopyTo(value, ErrorOffset + error.Length);
        return value;
    }

    private static StoredTransaction DecodeStored(ulong number, uint position, byte[] value)
    {
        int errLen = BinaryPrimitives.ReadUInt16BigEndian(value.AsSpan(ErrorLengthOffset));
        var raw = value.AsSpan(ErrorOffset + errLen).ToArray();
        if (!TransactionCodec.TryDecode(raw, new Hash32(value.AsSpan(HashOffset, Hash32.Size)), out var tx, out var message))
            throw new InvalidDataException($"stored transaction {number}/{position} does not decode: {message}");
        var result = value[0] == 1 ? TxResult.Ok : TxResult.Fail(Encoding.UTF8.GetString(value, ErrorOffset, errLen));
        return new StoredTransaction(number, position, tx, result);
    }

    /// <summary>The hashes of a block's transactions in order, read without decoding them.</summary>
    public IReadOnlyList<Hash32> GetTransactionHashes(ulong number)
    {
        var hashes = new List<Hash32>();
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(prefix, number);
        db.Store.ScanSpans(db.BlockTransactions, prefix, (_, value) =>
        {
            hashes.Add(new Hash32(value.Slice(HashOffset, Hash32.Size)));
            return true;
        });
        return hashes;
    }
}
