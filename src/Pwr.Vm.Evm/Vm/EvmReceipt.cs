using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Rlp;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Vm;

/// <summary>An executed transaction with its receipt, as stored under its hash: what eth_getTransaction* and eth_getLogs read.</summary>
public sealed record EvmReceipt
{
    public Hash32 TransactionHash { get; init; }
    /// <summary>The signed transaction as sent (decode it for its fields).</summary>
    public byte[] RawTransaction { get; init; } = [];
    public byte Type { get; init; }
    public ulong BlockNumber { get; init; }
    public Hash32 BlockHash { get; init; }
    public uint Index { get; init; }
    public Address From { get; init; }
    public Address? To { get; init; }
    public Address? ContractAddress { get; init; }
    public bool Success { get; init; }
    public long CumulativeGasUsed { get; init; }
    public long GasUsed { get; init; }
    public UInt256 EffectiveGasPrice { get; init; }
    /// <summary>Block-wide index of this transaction's first log.</summary>
    public uint FirstLogIndex { get; init; }
    public IReadOnlyList<LogEntry> Logs { get; init; } = [];

    /// <summary>Ethereum's consensus receipt encoding (for the receipts root): type ‖ rlp([status, cumulativeGas, bloom, logs]).</summary>
    public byte[] EncodeConsensus()
    {
        var body = RlpCodec.EncodeList(
            RlpCodec.EncodeBytes(Success ? [1] : []),
            RlpCodec.EncodeUInt64((ulong)CumulativeGasUsed),
            RlpCodec.EncodeBytes(LogsBloom.Compute(Logs)),
            EncodeLogs(Logs));
        return Type == 0 ? body : [Type, .. body];
    }

    public byte[] Encode() => RlpCodec.EncodeList(
        RlpCodec.EncodeBytes(TransactionHash.ToArray()),
        RlpCodec.EncodeBytes(RawTransaction),
        RlpCodec.EncodeUInt64(Type),
        RlpCodec.EncodeUInt64(BlockNumber),
        RlpCodec.EncodeBytes(BlockHash.ToArray()),
        RlpCodec.EncodeUInt64(Index),
        RlpCodec.EncodeBytes(From.ToArray()),
        RlpCodec.EncodeBytes(To is { } to ? to.ToArray() : []),
        RlpCodec.EncodeBytes(ContractAddress is { } c ? c.ToArray() : []),
        RlpCodec.EncodeUInt64(Success ? 1UL : 0UL),
        RlpCodec.EncodeUInt64((ulong)CumulativeGasUsed),
        RlpCodec.EncodeUInt64((ulong)GasUsed),
        RlpCodec.EncodeBytes(EffectiveGasPrice.ToTrimmedBigEndian()),
        RlpCodec.EncodeUInt64(FirstLogIndex),
        EncodeLogs(Logs));

    public static EvmReceipt Decode(ReadOnlySpan<byte> encoded)
    {
        var reader = new RlpReader(encoded);
        if (!reader.TryReadList(out var f) || !f.TryReadFixed(32, out var hash) || !f.TryReadBytes(out var raw) || !f.TryReadUInt64(out ulong type)
            || !f.TryReadUInt64(out ulong block) || !f.TryReadFixed(32, out var blockHash) || !f.TryReadUInt64(out ulong index)
            || !f.TryReadFixed(20, out var from) || !f.TryReadBytes(out var to) || !f.TryReadBytes(out var contract)
            || !f.TryReadUInt64(out ulong status) || !f.TryReadUInt64(out ulong cumulative) || !f.TryReadUInt64(out ulong gasUsed)
            || !f.TryReadInteger(32, out var price) || !f.TryReadUInt64(out ulong firstLog) || !f.TryReadList(out var logsReader))
            throw new InvalidDataException("corrupt EVM receipt record");
        var logs = new List<LogEntry>();
        while (logsReader.HasMore)
        {
            if (!logsReader.TryReadList(out var log) || !log.TryReadFixed(20, out var address) || !log.TryReadList(out var topicsReader))
                throw new InvalidDataException("corrupt EVM receipt record");
            var topics = new List<Hash32>();
            while (topicsReader.HasMore)
            {
                if (!topicsReader.TryReadFixed(32, out var topic)) throw new InvalidDataException("corrupt EVM receipt record");
                topics.Add(new Hash32(topic));
            }
            if (!log.TryReadBytes(out var data)) throw new InvalidDataException("corrupt EVM receipt record");
            logs.Add(new LogEntry(new Address(address), topics.ToArray(), data.ToArray()));
        }
        return new EvmReceipt
        {
            TransactionHash = new Hash32(hash), RawTransaction = raw.ToArray(), Type = (byte)type, BlockNumber = block, BlockHash = new Hash32(blockHash),
            Index = (uint)index, From = new Address(from), To = to.Length == 20 ? new Address(to) : null,
            ContractAddress = contract.Length == 20 ? new Address(contract) : null, Success = status == 1, CumulativeGasUsed = (long)cumulative,
            GasUsed = (long)gasUsed, EffectiveGasPrice = new UInt256(price), FirstLogIndex = (uint)firstLog, Logs = logs,
        };
    }

    private static byte[] EncodeLogs(IReadOnlyList<LogEntry> logs)
    {
        var items = new byte[logs.Count][];
        for (int i = 0; i < logs.Count; i++)
        {
            var log = logs[i];
            items[i] = RlpCodec.EncodeList(
                RlpCodec.EncodeBytes(log.Address.ToArray()),
                RlpCodec.EncodeList(log.Topics.Select(t => RlpCodec.EncodeBytes(t.ToArray())).ToArray()),
                RlpCodec.EncodeBytes(log.Data));
        }
        return RlpCodec.EncodeList(items);
    }
}
