using Pwr.Core;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Rlp;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Vm;

/// <summary>One EVM block: the EVM's view of a base-layer block (same number, timestamp in seconds) and its transactions.</summary>
/// <remarks>The hash is Keccak-256 of the RLP list [parentHash, stateRoot, transactionsRoot, receiptsRoot, logsBloom,
/// number, gasLimit, gasUsed, timestamp, baseFee, pwrBlockHash]: deterministic, but not an Ethereum header hash (there is
/// no PoW/PoS header to hash); pwrBlockHash ties it to the finalized base-layer block.</remarks>
public sealed record EvmBlock
{
    public ulong Number { get; init; }
    public Hash32 Hash { get; init; }
    public Hash32 ParentHash { get; init; }
    public Hash32 StateRoot { get; init; }
    public Hash32 TransactionsRoot { get; init; }
    public Hash32 ReceiptsRoot { get; init; }
    public byte[] LogsBloom { get; init; } = new byte[Vm.LogsBloom.Size];
    public long GasLimit { get; init; }
    public long GasUsed { get; init; }
    /// <summary>Seconds since the Unix epoch (the base-layer timestamp is in milliseconds).</summary>
    public ulong Timestamp { get; init; }
    public UInt256 BaseFee { get; init; }
    public Hash32 PwrBlockHash { get; init; }
    /// <summary>Hashes of the executed (receipted) transactions, in order.</summary>
    public IReadOnlyList<Hash32> TransactionHashes { get; init; } = [];

    /// <summary>The block hash over the header fields (see remarks).</summary>
    public Hash32 ComputeHash() => Keccak.Hash256(RlpCodec.EncodeList(HeaderFields()));

    private byte[][] HeaderFields() =>
    [
        RlpCodec.EncodeBytes(ParentHash.ToArray()),
        RlpCodec.EncodeBytes(StateRoot.ToArray()),
        RlpCodec.EncodeBytes(TransactionsRoot.ToArray()),
        RlpCodec.EncodeBytes(ReceiptsRoot.ToArray()),
        RlpCodec.EncodeBytes(LogsBloom),
        RlpCodec.EncodeUInt64(Number),
        RlpCodec.EncodeUInt64((ulong)GasLimit),
        RlpCodec.EncodeUInt64((ulong)GasUsed),
        RlpCodec.EncodeUInt64(Timestamp),
        RlpCodec.EncodeBytes(BaseFee.ToTrimmedBigEndian()),
        RlpCodec.EncodeBytes(PwrBlockHash.ToArray()),
    ];

    /// <summary>The stored form: rlp([hash, header fields..., [txHashes]]).</summary>
    public byte[] Encode()
    {
        var fields = new List<byte[]> { RlpCodec.EncodeBytes(Hash.ToArray()) };
        fields.AddRange(HeaderFields());
        fields.Add(RlpCodec.EncodeList(TransactionHashes.Select(h => RlpCodec.EncodeBytes(h.ToArray())).ToArray()));
        return RlpCodec.EncodeList(fields.ToArray());
    }

    public static EvmBlock Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new RlpReader(encoded);
        if (!reader.TryReadList(out var f)
            || !f.TryReadFixed(32, out var hash) || !f.TryReadFixed(32, out var parent) || !f.TryReadFixed(32, out var stateRoot)
            || !f.TryReadFixed(32, out var txRoot) || !f.TryReadFixed(32, out var receiptsRoot) || !f.TryReadFixed(Vm.LogsBloom.Size, out var bloom)
            || !f.TryReadUInt64(out ulong number) || !f.TryReadUInt64(out ulong gasLimit) || !f.TryReadUInt64(out ulong gasUsed)
            || !f.TryReadUInt64(out ulong timestamp) || !f.TryReadInteger(32, out var baseFee) || !f.TryReadFixed(32, out var pwrHash)
            || !f.TryReadList(out var txs))
            throw new InvalidDataException("corrupt EVM block record");
        var hashes = new List<Hash32>();
        while (txs.HasMore)
        {
            if (!txs.TryReadFixed(32, out var h)) throw new InvalidDataException("corrupt EVM block record");
            hashes.Add(new Hash32(h));
        }
        return new EvmBlock
        {
            Hash = new Hash32(hash), ParentHash = new Hash32(parent), StateRoot = new Hash32(stateRoot), TransactionsRoot = new Hash32(txRoot),
            ReceiptsRoot = new Hash32(receiptsRoot), LogsBloom = bloom.ToArray(), Number = number, GasLimit = (long)gasLimit,
            GasUsed = (long)gasUsed, Timestamp = timestamp, BaseFee = new UInt256(baseFee), PwrBlockHash = new Hash32(pwrHash),
            TransactionHashes = hashes,
        };
    }
}
