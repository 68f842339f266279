using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pwr.Core;
using Pwr.Vm.Evm.Numerics;

namespace Pwr.Vm.Evm.Execution;

/// <summary>KECCAK256 results of 64-byte inputs (Solidity's mapping slots: key ++ slot) within one transaction.</summary>
/// <remarks>Solidity hashes the same mapping entry again for every access (a balance checked, then debited; the
/// sender's balance in every iteration of a loop), and a BouncyCastle hash costs ~400 ns. Direct-mapped: a collision
/// only evicts, so crafted inputs cannot make it slower than hashing. Emptied per transaction in O(1) by a generation
/// number, so a repeated transaction never finds the hashes of an earlier one.</remarks>
internal sealed class KeccakCache
{
    private const int Size = 64; // a power of two
    private readonly Entry[] _entries = new Entry[Size];
    // Its own hasher: the interpreter runs on one thread, and this skips Keccak's thread-static lookup per miss.
    private readonly Keccak.Hasher _hasher = new();
    private long _generation = 1;

    /// <summary>Forgets every cached hash.</summary>
    public void Clear() => _generation++;

    /// <summary>Keccak-256 of exactly 64 bytes as a big-endian word.</summary>
    public UInt256 Hash64(ReadOnlySpan<byte> input)
    {
        var key = MemoryMarshal.Read<Key64>(input);
        var words = MemoryMarshal.Cast<byte, ulong>(input);
        ulong fold = words[0] ^ words[1] ^ words[2] ^ words[3] ^ words[4] ^ words[5] ^ words[6] ^ words[7];
        int index = (int)((fold * 0x9E3779B97F4A7C15UL) >> (64 - 6));
        ref var entry = ref _entries[index];
        if (entry.Generation == _generation && ((ReadOnlySpan<ulong>)entry.Key).SequenceEqual(words)) return entry.Value;

        Span<byte> hash = stackalloc byte[32];
        _hasher.Update(input);
        _hasher.Finish(hash);
        entry.Key = key;
        entry.Value = new UInt256(hash);
        entry.Generation = _generation;
        return entry.Value;
    }

    private struct Entry
    {
        public Key64 Key;
        public UInt256 Value;
        public long Generation;
    }

    [InlineArray(8)]
    private struct Key64
    {
        private ulong _element;
    }
}
