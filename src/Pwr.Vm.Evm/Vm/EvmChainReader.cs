using System.Buffers.Binary;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;

namespace Pwr.Vm.Evm.Vm;

/// <summary>Reads the EVM's blocks, receipts, rejections and logs from a VM's state (the committed store for RPC, or a block's state).</summary>
public sealed class EvmChainReader(IVmStateReader state)
{
    /// <summary>Most blocks one <see cref="GetLogs"/> call scans (geth-like clients page their queries).</summary>
    public const ulong MaxLogBlockRange = 10_000;

    public IVmStateReader State => state;

    /// <summary>The latest EVM block number, or null before genesis.</summary>
    public ulong? Head => state.Get(EvmStateKeys.Head) is { Length: 8 } n ? BinaryPrimitives.ReadUInt64BigEndian(n) : null;

    public EvmBlock? GetBlock(ulong number) => state.Get(EvmStateKeys.Block(number)) is { } b ? EvmBlock.Decode(b) : null;

    public EvmBlock? GetBlock(in Hash32 hash)
        => state.Get(EvmStateKeys.BlockByHash(hash)) is { Length: 8 } n ? GetBlock(BinaryPrimitives.ReadUInt64BigEndian(n)) : null;

    public EvmReceipt? GetReceipt(in Hash32 transactionHash)
        => state.Get(EvmStateKeys.Transaction(transactionHash)) is { } r ? EvmReceipt.Decode(r) : null;

    public EvmRejection? GetRejection(in Hash32 transactionHash)
        => state.Get(EvmStateKeys.Rejection(transactionHash)) is { } r ? EvmRejection.Decode(r) : null;

    /// <summary>The PWR deposits block <paramref name="number"/> applied, in order (empty when none, or when the block predates the record).</summary>
    public List<EvmBlockDeposit> GetBlockDeposits(ulong number)
        => state.Get(EvmStateKeys.BlockDeposits(number)) is { } d ? EvmBlockDeposit.DecodeList(d) : [];

    /// <summary>The committed account/storage/code state at the latest block.</summary>
    public EvmStateStore LatestState() => new(state);

    /// <summary>Logs of blocks [from, to] whose address is one of <paramref name="addresses"/> (any when empty) and whose
    /// topics match <paramref name="topics"/> position by position (null or empty = any), skipping blocks by their bloom.</summary>
    public List<EvmLog> GetLogs(ulong from, ulong to, IReadOnlyList<Address> addresses, IReadOnlyList<IReadOnlyList<Hash32>?> topics)
    {
        var result = new List<EvmLog>();
        for (ulong n = from; n <= to; n++)
        {
            var block = GetBlock(n);
            if (block is null) break;
            if (!BloomMatches(block.LogsBloom, addresses, topics)) continue;
            foreach (var hash in block.TransactionHashes)
            {
                var receipt = GetReceipt(hash);
                if (receipt is null) continue;
                for (int i = 0; i < receipt.Logs.Count; i++)
                {
                    var log = receipt.Logs[i];
                    if (Matches(log, addresses, topics))
                        result.Add(new EvmLog(log, block.Number, block.Hash, receipt.TransactionHash, receipt.Index, receipt.FirstLogIndex + (uint)i));
                }
            }
            if (n == ulong.MaxValue) break;
        }
        return result;
    }

    private static bool BloomMatches(byte[] bloom, IReadOnlyList<Address> addresses, IReadOnlyList<IReadOnlyList<Hash32>?> topics)
    {
        if (addresses.Count > 0 && !addresses.Any(a => LogsBloom.MayContain(bloom, a.ToArray()))) return false;
        foreach (var alternatives in topics)
            if (alternatives is { Count: > 0 } && !alternatives.Any(t => LogsBloom.MayContain(bloom, t.ToArray()))) return false;
        return true;
    }

    private static bool Matches(LogEntry log, IReadOnlyList<Address> addresses, IReadOnlyList<IReadOnlyList<Hash32>?> topics)
    {
        if (addresses.Count > 0 && !addresses.Contains(log.Address)) return false;
        if (topics.Count > log.Topics.Length && topics.Skip(log.Topics.Length).Any(t => t is { Count: > 0 })) return false;
        for (int i = 0; i < topics.Count && i < log.Topics.Length; i++)
            if (topics[i] is { Count: > 0 } alternatives && !alternatives.Contains(log.Topics[i])) return false;
        return true;
    }
}
