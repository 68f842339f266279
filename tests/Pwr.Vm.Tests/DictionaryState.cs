using Pwr.Core;

namespace Pwr.Vm.Tests;

/// <summary>A plain in-memory <see cref="IVmState"/> for testing a VM's rules without a store.</summary>
internal sealed class DictionaryState : IVmState
{
    public SortedDictionary<string, byte[]> Entries { get; } = new(StringComparer.Ordinal);

    public byte[]? Get(ReadOnlySpan<byte> key) => Entries.GetValueOrDefault(Convert.ToHexString(key));
    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Entries[Convert.ToHexString(key)] = value.ToArray();
    public void Delete(ReadOnlySpan<byte> key) => Entries.Remove(Convert.ToHexString(key));
    public Hash32 MerkleRoot() => throw new NotSupportedException();

    /// <summary>A fingerprint of the whole state, to show that a failed operation changed nothing.</summary>
    public string Dump() => string.Join(";", Entries.Select(e => e.Key + "=" + Convert.ToHexString(e.Value)));
}
