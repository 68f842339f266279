using Pwr.Core;
using Pwr.Vm.Evm.Execution;

namespace Pwr.Vm.Evm.Vm;

/// <summary>Ethereum's 2048-bit logs bloom (Yellow Paper §4.3.1): three bits per address and topic, from their Keccak-256.</summary>
public static class LogsBloom
{
    public const int Size = 256;

    public static byte[] Compute(IEnumerable<LogEntry> logs)
    {
        var bloom = new byte[Size];
        foreach (var log in logs) Add(bloom, log);
        return bloom;
    }

    public static void Add(byte[] bloom, LogEntry log)
    {
        AddValue(bloom, log.Address.ToArray());
        foreach (var topic in log.Topics) AddValue(bloom, topic.ToArray());
    }

    /// <summary>Adds every bit of <paramref name="other"/> into <paramref name="bloom"/>.</summary>
    public static void Merge(byte[] bloom, ReadOnlySpan<byte> other)
    {
        for (int i = 0; i < Size; i++) bloom[i] |= other[i];
    }

    /// <summary>False when <paramref name="value"/> (an address or topic) is certainly not in the bloom.</summary>
    public static bool MayContain(ReadOnlySpan<byte> bloom, ReadOnlySpan<byte> value)
    {
        Span<byte> hash = stackalloc byte[32];
        Keccak.Hash256(value, hash);
        for (int i = 0; i < 6; i += 2)
        {
            int bit = ((hash[i] << 8) | hash[i + 1]) & 2047;
            if ((bloom[Size - 1 - bit / 8] & (1 << (bit % 8))) == 0) return false;
        }
        return true;
    }

    private static void AddValue(byte[] bloom, ReadOnlySpan<byte> value)
    {
        Span<byte> hash = stackalloc byte[32];
        Keccak.Hash256(value, hash);
        for (int i = 0; i < 6; i += 2)
        {
            int bit = ((hash[i] << 8) | hash[i + 1]) & 2047;
            bloom[Size - 1 - bit / 8] |= (byte)(1 << (bit % 8));
        }
    }
}
