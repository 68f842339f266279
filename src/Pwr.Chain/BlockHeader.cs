using System.Diagnostics.CodeAnalysis;
using Pwr.Core;

namespace Pwr.Chain;

/// <summary>A block header (DESIGN.md "Blocks and finality"); its hash is Keccak-256 of this encoding.</summary>
public sealed record BlockHeader(
    ulong Number,
    ulong TimestampMs,
    Hash32 PreviousHash,
    Address Proposer,
    Hash32 TransactionsRoot,
    Hash32 StateRoot,
    Hash32 ValidatorSetHash)
{
    public const int EncodedSize = 8 + 8 + 32 + 20 + 32 + 32 + 32;

    private Hash32? _hash;
    public Hash32 Hash => _hash ??= Keccak.Hash256(Encode());

    public byte[] Encode()
    {
        var bytes = new byte[EncodedSize];
        var w = new BigEndianWriter(bytes);
        w.WriteU64(Number);
        w.WriteU64(TimestampMs);
        w.WriteHash(PreviousHash);
        w.WriteAddress(Proposer);
        w.WriteHash(TransactionsRoot);
        w.WriteHash(StateRoot);
        w.WriteHash(ValidatorSetHash);
        return bytes;
    }

    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out BlockHeader? header)
    {
        header = null;
        if (bytes.Length != EncodedSize) return false;
        var r = new BigEndianReader(bytes);
        r.TryReadU64(out var number);
        r.TryReadU64(out var ts);
        r.TryReadHash(out var prev);
        r.TryReadAddress(out var proposer);
        r.TryReadHash(out var txRoot);
        r.TryReadHash(out var stateRoot);
        r.TryReadHash(out var vsHash);
        header = new BlockHeader(number, ts, prev, proposer, txRoot, stateRoot, vsHash);
        return true;
    }
}
