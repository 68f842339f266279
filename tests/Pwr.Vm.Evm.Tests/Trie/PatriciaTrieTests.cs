using Pwr.Core;
using Pwr.Vm.Evm.Trie;

namespace Pwr.Vm.Evm.Tests.Trie;

public class PatriciaTrieTests
{
    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static Hash32 Reference(Dictionary<string, byte[]> contents)
        => PatriciaRoot.Compute(contents.Select(kv => new KeyValuePair<byte[], byte[]>(Convert.FromHexString(kv.Key), kv.Value)));

    [Fact]
    public void Empty_trie_commits_to_the_empty_root_and_no_nodes()
    {
        var trie = new PatriciaTrie(new InMemoryTrieNodeStore());
        var commit = trie.Commit();
        Assert.Equal(PatriciaRoot.Empty, commit.Root);
        Assert.Empty(commit.NewNodes);
    }

    [Fact]
    public void Trie_vector_dogs_gives_the_published_root()
    {
        var trie = new PatriciaTrie(new InMemoryTrieNodeStore());
        trie.Set(Utf8("doe"), Utf8("reindeer"));
        trie.Set(Utf8("dog"), Utf8("puppy"));
        trie.Set(Utf8("dogglesworth"), Utf8("cat"));
        Assert.Equal("0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3", trie.Commit().Root.ToString());
        Assert.Equal(Utf8("puppy"), trie.Get(Utf8("dog")));
        Assert.Null(trie.Get(Utf8("do")));
        Assert.Null(trie.Get(Utf8("doge")));
    }

    [Fact]
    public void Deleting_every_key_returns_to_the_empty_root()
    {
        var store = new InMemoryTrieNodeStore();
        var trie = new PatriciaTrie(store);
        foreach (var k in new[] { "do", "dog", "doge", "horse" }) trie.Set(Utf8(k), Utf8(k + "-value"));
        trie.CommitToStore();
        var left = new List<string> { "do", "dog", "doge", "horse" };
        // "do" and "dog" are prefixes of other keys: their values sit in branches that must collapse as keys go.
        foreach (var k in new[] { "dog", "horse", "do", "doge" })
        {
            trie.Delete(Utf8(k));
            left.Remove(k);
            Assert.Equal(PatriciaRoot.Compute(left.Select(x => new KeyValuePair<byte[], byte[]>(Utf8(x), Utf8(x + "-value")))), trie.Commit().Root);
        }
        Assert.Equal(PatriciaRoot.Empty, trie.Commit().Root);
    }

    [Fact]
    public void Setting_an_empty_value_deletes_the_key()
    {
        var trie = new PatriciaTrie(new InMemoryTrieNodeStore());
        trie.Set(Utf8("a"), Utf8("1"));
        trie.Set(Utf8("b"), Utf8("2"));
        trie.Set(Utf8("a"), []);
        Assert.Null(trie.Get(Utf8("a")));
        Assert.Equal(PatriciaRoot.Compute([new(Utf8("b"), Utf8("2"))]), trie.Commit().Root);
    }

    [Fact]
    public void Rewriting_a_value_unchanged_creates_no_nodes()
    {
        var trie = new PatriciaTrie(new InMemoryTrieNodeStore());
        trie.Set(Utf8("key"), new byte[40]);
        trie.Commit();
        trie.Set(Utf8("key"), new byte[40]);
        trie.Delete(Utf8("absent"));
        Assert.False(trie.HasUncommittedChanges);
        Assert.Empty(trie.Commit().NewNodes);
    }

    [Theory]
    [InlineData(1, 3, 8)]
    [InlineData(2, 2, 40)]
    [InlineData(3, 32, 300)]
    [InlineData(4, 1, 6)]
    public void Random_updates_give_the_same_root_as_building_from_scratch(int seed, int maxKeyLength, int keySpace)
    {
        var random = new Random(seed);
        var store = new InMemoryTrieNodeStore();
        var trie = new PatriciaTrie(store);
        var model = new Dictionary<string, byte[]>();
        var history = new List<(Hash32 Root, Dictionary<string, byte[]> Contents)>();
        var keys = Enumerable.Range(0, keySpace).Select(_ =>
        {
            var key = new byte[random.Next(maxKeyLength == 32 ? 32 : 1, maxKeyLength + 1)];
            random.NextBytes(key);
            return key;
        }).ToArray();

        for (int round = 0; round < 25; round++)
        {
            int operations = random.Next(1, 3 * keySpace);
            for (int i = 0; i < operations; i++)
            {
                var key = keys[random.Next(keys.Length)];
                string hex = Convert.ToHexString(key);
                if (random.Next(4) == 0)
                {
                    trie.Delete(key);
                    model.Remove(hex);
                }
                else
                {
                    // Short and long values, so some nodes are inlined and some are hashed.
                    var value = new byte[random.Next(1, random.Next(2) == 0 ? 4 : 60)];
                    random.NextBytes(value);
                    trie.Set(key, value);
                    model[hex] = value;
                }
            }
            var commit = trie.Commit();
            store.Put(commit.NewNodes);
            Assert.Equal(Reference(model), commit.Root);
            foreach (var key in keys)
            {
                model.TryGetValue(Convert.ToHexString(key), out var expected);
                Assert.Equal(expected, trie.Get(key));
            }
            history.Add((commit.Root, new Dictionary<string, byte[]>(model)));
        }

        // Every earlier root still opens to exactly its contents, and re-committing it yields the same root.
        foreach (var (root, contents) in history)
        {
            var reopened = new PatriciaTrie(store, root);
            foreach (var key in keys)
            {
                contents.TryGetValue(Convert.ToHexString(key), out var expected);
                Assert.Equal(expected, reopened.Get(key));
            }
            Assert.Equal(root, reopened.Commit().Root);
        }
    }

    [Fact]
    public void Updates_to_a_reopened_trie_match_a_from_scratch_root()
    {
        var random = new Random(7);
        var store = new InMemoryTrieNodeStore();
        var trie = new PatriciaTrie(store);
        var model = new Dictionary<string, byte[]>();
        for (int i = 0; i < 200; i++)
        {
            var key = Keccak.Hash256(BitConverter.GetBytes(i)).ToArray();
            var value = new byte[random.Next(1, 50)];
            random.NextBytes(value);
            trie.Set(key, value);
            model[Convert.ToHexString(key)] = value;
        }
        var root = trie.CommitToStore();

        var reopened = new PatriciaTrie(store, root);
        for (int i = 0; i < 200; i += 3)
        {
            var key = Keccak.Hash256(BitConverter.GetBytes(i)).ToArray();
            reopened.Delete(key);
            model.Remove(Convert.ToHexString(key));
        }
        reopened.Set(Keccak.Hash256("new"u8).ToArray(), [1, 2, 3]);
        model[Convert.ToHexString(Keccak.Hash256("new"u8).ToArray())] = [1, 2, 3];
        Assert.Equal(Reference(model), reopened.CommitToStore());
    }

    [Fact]
    public void Changing_one_key_of_a_large_trie_reads_and_writes_only_its_path()
    {
        var store = new InMemoryTrieNodeStore();
        var trie = new PatriciaTrie(store);
        for (int i = 0; i < 5000; i++) trie.Set(Keccak.Hash256(BitConverter.GetBytes(i)).ToArray(), new byte[40]);
        var root = trie.CommitToStore();

        var reopened = new PatriciaTrie(store, root);
        int readsBefore = store.Reads;
        reopened.Set(Keccak.Hash256(BitConverter.GetBytes(17)).ToArray(), new byte[41]);
        var commit = reopened.Commit();
        // A trie of 5000 hashed keys is about 4 levels deep: the path is read once and rewritten once.
        Assert.InRange(store.Reads - readsBefore, 1, 6);
        Assert.InRange(commit.NewNodes.Count, 1, 6);
    }

    [Fact]
    public void Unloaded_trie_reads_its_nodes_back_from_the_store()
    {
        var store = new InMemoryTrieNodeStore();
        var trie = new PatriciaTrie(store);
        trie.Set(Utf8("doe"), Utf8("reindeer"));
        trie.Set(Utf8("dog"), Utf8("puppy"));
        Assert.Throws<InvalidOperationException>(trie.Unload);
        var root = trie.CommitToStore();
        trie.Unload();
        int reads = store.Reads;
        Assert.Equal(Utf8("puppy"), trie.Get(Utf8("dog")));
        Assert.True(store.Reads > reads);
        Assert.Equal(root, trie.Commit().Root);
    }

    [Fact]
    public void Opening_at_an_unknown_root_fails_on_first_read()
    {
        var trie = new PatriciaTrie(new InMemoryTrieNodeStore(), Keccak.Hash256("nothing"u8));
        Assert.Throws<InvalidOperationException>(() => trie.Get([1]));
    }

    [Fact]
    public void Root_shorter_than_32_bytes_is_still_stored_so_it_can_be_reopened()
    {
        var store = new InMemoryTrieNodeStore();
        var trie = new PatriciaTrie(store);
        trie.Set([1], [2]);
        var root = trie.CommitToStore();
        Assert.Equal([2], new PatriciaTrie(store, root).Get([1]));
    }
}
