using Pwr.Core;
using Pwr.Vm;
using Pwr.Vm.Evm.Trie;

namespace Pwr.Vm.Evm.Tests.Trie;

public class VmStateTrieNodeStoreTests
{
    /// <summary>A VM state in a dictionary: enough to see which keys the node store writes.</summary>
    private sealed class DictionaryState : IVmState
    {
        public readonly Dictionary<string, byte[]> Entries = new(StringComparer.Ordinal);
        public byte[]? Get(ReadOnlySpan<byte> key) => Entries.GetValueOrDefault(Convert.ToHexString(key));
        public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Entries[Convert.ToHexString(key)] = value.ToArray();
        public void Delete(ReadOnlySpan<byte> key) => Entries.Remove(Convert.ToHexString(key));
        public Hash32 MerkleRoot() => throw new NotSupportedException();
    }

    [Fact]
    public void Nodes_are_kept_under_prefix_and_hash_and_reopen_from_the_vm_state()
    {
        var state = new DictionaryState();
        var trie = new PatriciaTrie(new VmStateTrieNodeStore(state, [0x74]));
        for (int i = 0; i < 50; i++) trie.Set(Keccak.Hash256(BitConverter.GetBytes(i)).ToArray(), new byte[] { (byte)i, 1, 2 });
        var root = trie.CommitToStore();

        Assert.All(state.Entries, e =>
        {
            Assert.StartsWith("74", e.Key);
            Assert.Equal(Keccak.Hash256(e.Value).ToString()[2..], e.Key[2..].ToLowerInvariant());
        });
        var reopened = new PatriciaTrie(new VmStateTrieNodeStore(state, [0x74]), root);
        Assert.Equal(new byte[] { 7, 1, 2 }, reopened.Get(Keccak.Hash256(BitConverter.GetBytes(7)).ToArray()));
    }

    [Fact]
    public void Read_only_state_refuses_writes()
    {
        var reader = new DictionaryState() as IVmStateReader;
        var store = new VmStateTrieNodeStore(new ReadOnlyView(reader), [1]);
        Assert.Throws<InvalidOperationException>(() => store.Put([new(Hash32.Zero, [0xc0])]));
    }

    private sealed class ReadOnlyView(IVmStateReader inner) : IVmStateReader
    {
        public byte[]? Get(ReadOnlySpan<byte> key) => inner.Get(key);
    }
}
