using System.Buffers.Binary;
using Pwr.Core;

namespace Pwr.Vm.Evm.Vm;

/// <summary>The EVM VM's key layout in its <see cref="IVmState"/> (one RocksDB per VM; everything below is in the atomic per-block batch).</summary>
/// <remarks>
/// <code>
/// "n:" ‖ hash32          → Merkle-Patricia node (account trie and every storage trie share this node store)
/// "c:" ‖ codeHash32      → contract code
/// "s:root"               → current state root (32 bytes); absent until genesis was applied
/// "s:head"               → number u64 BE of the latest EVM block
/// "b:" ‖ number u64 BE   → EVM block record (<see cref="EvmBlock"/>)
/// "B:" ‖ blockHash32     → number u64 BE
/// "t:" ‖ txHash32        → executed transaction with its receipt (<see cref="EvmReceipt"/>)
/// "r:" ‖ txHash32        → rejected transaction: block, position, reason (<see cref="EvmRejection"/>)
/// "d:" ‖ pwrTxHash32     → deposit record: EVM block number u64 BE ‖ address ‖ wei (trimmed)
/// "x:" ‖ number u64 BE   → the block's deposits in order (<see cref="EvmBlockDeposit"/>), so tracers can replay them;
///                          absent when the block had none
/// </code>
/// </remarks>
public static class EvmStateKeys
{
    public static ReadOnlySpan<byte> NodePrefix => "n:"u8;
    public static ReadOnlySpan<byte> StateRoot => "s:root"u8;
    public static ReadOnlySpan<byte> Head => "s:head"u8;

    public static byte[] Code(in Hash32 codeHash) => Prefixed("c:"u8, codeHash);

    public static byte[] Block(ulong number)
    {
        var key = new byte[10];
        "b:"u8.CopyTo(key);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(2), number);
        return key;
    }

    public static byte[] BlockDeposits(ulong number)
    {
        var key = Block(number);
        key[0] = (byte)'x';
        return key;
    }

    public static byte[] BlockByHash(in Hash32 hash) => Prefixed("B:"u8, hash);

    public static byte[] Transaction(in Hash32 hash) => Prefixed("t:"u8, hash);

    public static byte[] Rejection(in Hash32 hash) => Prefixed("r:"u8, hash);

    public static byte[] Deposit(in Hash32 pwrTxHash) => Prefixed("d:"u8, pwrTxHash);

    private static byte[] Prefixed(ReadOnlySpan<byte> prefix, in Hash32 hash)
    {
        var key = new byte[prefix.Length + Hash32.Size];
        prefix.CopyTo(key);
        hash.WriteTo(key.AsSpan(prefix.Length));
        return key;
    }
}
