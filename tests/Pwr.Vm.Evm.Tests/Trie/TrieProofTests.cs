using Pwr.Core;
using Pwr.Vm.Evm.Trie;

namespace Pwr.Vm.Evm.Tests.Trie;

public class TrieProofTests
{
    private static (PatriciaTrie Trie, Hash32 Root, Dictionary<string, byte[]> Contents) Build(int seed, int count, int maxKeyLength)
    {
        var random = new Random(seed);
        var store = new InMemoryTrieNodeStore();
        var trie = new PatriciaTrie(store);
        var contents = new Dictionary<string, byte[]>();
        for (int i = 0; i < count; i++)
        {
            var key = new byte[random.Next(1, maxKeyLength + 1)];
            random.NextBytes(key);
            var value = new byte[random.Next(1, random.Next(2) == 0 ? 4 : 50)];
            random.NextBytes(value);
            trie.Set(key, value);
            contents[Convert.ToHexString(key)] = value;
        }
        return (trie, trie.CommitToStore(), contents);
    }

    [Theory]
    [InlineData(1, 200, 32)]
    [InlineData(2, 60, 3)]
    [InlineData(3, 1, 4)]
    public void Proofs_of_present_keys_verify_to_their_values(int seed, int count, int maxKeyLength)
    {
        var (trie, root, contents) = Build(seed, count, maxKeyLength);
        foreach (var (hex, expected) in contents)
        {
            var key = Convert.FromHexString(hex);
            var proof = trie.GetProof(key);
            Assert.True(TrieProof.TryVerify(root, key, proof, out var value));
            Assert.Equal(expected, value);
        }
    }

    [Fact]
    public void Proofs_of_absent_keys_verify_to_no_value()
    {
        var (trie, root, contents) = Build(4, 100, 3);
        var random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            var key = new byte[random.Next(1, 4)];
            random.NextBytes(key);
            if (contents.ContainsKey(Convert.ToHexString(key))) continue;
            Assert.True(TrieProof.TryVerify(root, key, trie.GetProof(key), out var value));
            Assert.Null(value);
        }
    }

    [Fact]
    public void Tampered_proof_or_wrong_root_fails()
    {
        var (trie, root, contents) = Build(6, 300, 32);
        var key = Convert.FromHexString(contents.Keys.First());
        var proof = trie.GetProof(key);
        Assert.True(proof.Count >= 2);
        for (int i = 0; i < proof.Count; i++)
        {
            var tampered = proof.Select(p => p.ToArray()).ToList();
            tampered[i][tampered[i].Length - 1] ^= 1;
            Assert.False(TrieProof.TryVerify(root, key, tampered, out _));
        }
        Assert.False(TrieProof.TryVerify(Keccak.Hash256("other"u8), key, proof, out _));
        Assert.False(TrieProof.TryVerify(root, key, proof.Take(proof.Count - 1).ToList(), out _));
    }

    [Fact]
    public void Proof_needs_a_committed_trie()
    {
        var trie = new PatriciaTrie(new InMemoryTrieNodeStore());
        trie.Set([1], [2]);
        Assert.Throws<InvalidOperationException>(() => trie.GetProof([1]));
    }
}
