using System.Text;
using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Rlp;
using Pwr.Vm.Evm.Trie;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Tests.Trie;

public class PatriciaRootTests
{
    private static byte[] Bytes(string s) => s.StartsWith("0x", StringComparison.Ordinal) ? Hex.Decode(s) : Encoding.UTF8.GetBytes(s);

    private static KeyValuePair<byte[], byte[]> Entry(string key, string value) => new(Bytes(key), Bytes(value));

    [Fact]
    public void Empty_trie_root_is_keccak_of_rlp_empty_string()
    {
        Assert.Equal("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", PatriciaRoot.Compute([]).ToString());
        Assert.Equal(Keccak.Hash256([RlpCodec.EmptyString]), PatriciaRoot.Empty);
    }

    // Vectors from ethereum/tests TrieTests/trieanyorder.json (keys and values as UTF-8 unless 0x-prefixed).
    public static TheoryData<string, string[], string> AnyOrderVectors => new()
    {
        { "singleItem", ["A", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], "0xd23786fb4a010da3ce639d66d5e904a11dbc02746d1ce25029e53290cabf28ab" },
        { "dogs", ["doe", "reindeer", "dog", "puppy", "dogglesworth", "cat"], "0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3" },
        { "puppy", ["do", "verb", "horse", "stallion", "doge", "coin", "dog", "puppy"], "0x5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84" },
        { "foo", ["foo", "bar", "food", "bass"], "0x17beaa1648bafa633cda809c90c04af50fc8aed3cb40d16efbddee6fdf63c4c3" },
        { "smallValues", ["be", "e", "dog", "puppy", "bed", "d"], "0x3f67c7a47520f79faa29255d2d3c084a7a6df0453116ed7232ff10277a8be68b" },
        { "testy", ["test", "test", "te", "testy"], "0x8452568af70d8d140f58d941338542f645fcca50094b20f3c3d8c3df49337928" },
        { "hex", ["0x0045", "0x0123456789", "0x4500", "0x9876543210"], "0x285505fcabe84badc8aa310e2aae17eddc7d120aabec8a476902c8184b3a3503" },
    };

    [Theory]
    [MemberData(nameof(AnyOrderVectors))]
    public void Root_matches_the_ethereum_trie_vectors_in_any_order(string name, string[] pairs, string expectedRoot)
    {
        var entries = Enumerable.Range(0, pairs.Length / 2).Select(i => Entry(pairs[2 * i], pairs[2 * i + 1])).ToList();
        Assert.True(expectedRoot == PatriciaRoot.Compute(entries).ToString(), name);
        entries.Reverse();
        Assert.True(expectedRoot == PatriciaRoot.Compute(entries).ToString(), name + " reversed");
    }

    [Fact]
    public void Later_value_for_a_repeated_key_wins_and_empty_value_means_absent()
    {
        var expected = PatriciaRoot.Compute([Entry("doe", "reindeer"), Entry("dog", "puppy")]);
        Assert.Equal(expected, PatriciaRoot.Compute([Entry("doe", "x"), Entry("dog", "puppy"), Entry("doe", "reindeer"), new(Bytes("cat"), [])]));
    }

    [Fact]
    public void Root_of_one_short_leaf_is_the_hash_of_the_leaf_node()
    {
        // A single entry is a leaf [hexPrefix(path, leaf), value]; the root hashes it even though it is under 32 bytes.
        var node = RlpCodec.EncodeList(RlpCodec.EncodeBytes([0x20, 0x01, 0x02]), RlpCodec.EncodeBytes("v"u8));
        Assert.Equal(Keccak.Hash256(node), PatriciaRoot.Compute([new([0x01, 0x02], "v"u8.ToArray())]));
    }

    [Fact]
    public void Key_that_is_a_prefix_of_another_lives_in_the_branch_value()
    {
        var a = new KeyValuePair<byte[], byte[]>([0x01], "first"u8.ToArray());
        var b = new KeyValuePair<byte[], byte[]>([0x01, 0x23], "second"u8.ToArray());
        // Extension over nibbles 0,1 to a branch whose value is "first" and whose child 2 is the leaf for the last nibble 3.
        var leaf = RlpCodec.EncodeList(RlpCodec.EncodeBytes([0x33]), RlpCodec.EncodeBytes("second"u8));
        var children = Enumerable.Repeat(new byte[] { RlpCodec.EmptyString }, 16).ToArray();
        children[2] = leaf;
        var branch = RlpCodec.EncodeList([.. children, RlpCodec.EncodeBytes("first"u8)]);
        Assert.True(branch.Length < 32);
        var extension = RlpCodec.EncodeList(RlpCodec.EncodeBytes([0x00, 0x01]), branch);
        Assert.Equal(Keccak.Hash256(extension), PatriciaRoot.Compute([a, b]));
    }

    [Fact]
    public void Child_node_of_32_bytes_or_more_is_referenced_by_its_hash()
    {
        var value = new byte[40];
        value.AsSpan().Fill(7);
        var a = new KeyValuePair<byte[], byte[]>([0x10], value);
        var b = new KeyValuePair<byte[], byte[]>([0x20], "b"u8.ToArray());
        var bigLeaf = RlpCodec.EncodeList(RlpCodec.EncodeBytes([0x30]), RlpCodec.EncodeBytes(value));
        var smallLeaf = RlpCodec.EncodeList(RlpCodec.EncodeBytes([0x30]), RlpCodec.EncodeBytes("b"u8));
        var children = Enumerable.Repeat(new byte[] { RlpCodec.EmptyString }, 16).ToArray();
        children[1] = RlpCodec.EncodeBytes(Keccak.Hash256(bigLeaf).ToArray());
        children[2] = smallLeaf;
        var branch = RlpCodec.EncodeList([.. children, RlpCodec.EncodeBytes([])]);
        Assert.Equal(Keccak.Hash256(branch), PatriciaRoot.Compute([a, b]));
    }

    [Fact]
    public void Transactions_root_of_a_known_block_matches_its_header()
    {
        // geth's TestBlockEncoding block: header ‖ [one legacy transaction] ‖ [no uncles]; header field 4 is the transactions root.
        var block = Hex.Decode("f90260f901f9a083cafc574e1f51ba9dc0568fc617a08ea2429fb384059c972f13b19fa1c8dd55a01dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d4934794"
            + "8888f1f195afa192cfee860698584c030f4c9db1a0ef1552a40b7165c3cd773806b9e0c165b75356e0314bf0706f279c729f51e017a05fe50b260da6308036625b850b5d6ced6d0a9f814c0688bc91ffb7b7a3a54b67"
            + "a0bc37d79753ad738a6dac4921e57392f145d8887476de3f783dfa7edae9283e52b90100" + new string('0', 512)
            + "8302000001832fefd8825208845506eb0780a0bd4472abb6659ebe3ee06ee4d7b72a00a9f4d001caca51342001075469aff49888a13a5a8c8f2bb1c4"
            + "f861f85f800a82c35094095e7baea6a6c7c4c2dfeb977efac326af552d870a801ba09bea4c4daac7c7c52e093e6a4c35dbbcf8856f1af7b059ba20253e70848d094fa08a8fae537ce25ed8cb5af9adac3f141af69bd515bd2ba031522df09b97dd72b1c0");
        var reader = new RlpReader(block);
        Assert.True(reader.TryReadList(out var parts));
        Assert.True(reader.TryReadEnd());
        Assert.True(parts.TryReadList(out var header));
        for (int i = 0; i < 4; i++) Assert.True(header.TrySkip());
        Assert.True(header.TryReadFixed(32, out var transactionsRoot));
        Assert.True(parts.TryReadList(out var transactions));
        var items = new List<byte[]>();
        while (transactions.HasMore)
        {
            Assert.True(transactions.TryReadEncoded(out var tx));
            items.Add(tx.ToArray());
        }
        Assert.Single(items);
        Assert.Equal(new Hash32(transactionsRoot), PatriciaRoot.ComputeOrdered(items));
    }

    [Fact]
    public void Ordered_root_keys_items_by_rlp_of_their_index()
    {
        var items = Enumerable.Range(0, 300).Select(i => Keccak.Hash256(BitConverter.GetBytes(i)).ToArray()).ToList();
        var expected = PatriciaRoot.Compute(items.Select((item, i) => new KeyValuePair<byte[], byte[]>(RlpCodec.EncodeUInt64((ulong)i), item)));
        Assert.Equal(expected, PatriciaRoot.ComputeOrdered(items));
        Assert.Equal(PatriciaRoot.Empty, PatriciaRoot.ComputeOrdered([]));
    }

    /// <summary>
    /// A transaction rejected by a state test leaves the pre-state untouched, so its expected post-state hash is the root of
    /// the pre-state: a secure trie of accounts rlp([nonce, balance, storageRoot, codeHash]) with secure storage tries.
    /// </summary>
    [Fact]
    public void Secure_state_root_of_state_test_pre_states_matches_their_rejected_transaction_roots()
    {
        var root = FixtureFiles.Folder("ethereum-state-tests");
        int checkedCount = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            if (!text.Contains("expectException", StringComparison.Ordinal)) continue;
            using var doc = JsonDocument.Parse(text);
            foreach (var test in doc.RootElement.EnumerateObject())
            {
                if (!test.Value.TryGetProperty("post", out var post) || !post.TryGetProperty("Cancun", out var cases)) continue;
                foreach (var c in cases.EnumerateArray())
                {
                    if (!c.TryGetProperty("expectException", out _)) continue;
                    var expected = c.GetProperty("hash").GetString()!;
                    Assert.True(expected == StateRoot(test.Value.GetProperty("pre")).ToString(), $"{Path.GetFileName(file)} {test.Name}");
                    checkedCount++;
                    break;
                }
            }
        }
        Assert.True(checkedCount >= 20, $"only {checkedCount} pre-states checked");
    }

    private static Hash32 StateRoot(JsonElement pre)
    {
        var accounts = new List<KeyValuePair<byte[], byte[]>>();
        foreach (var account in pre.EnumerateObject())
        {
            var storage = new List<KeyValuePair<byte[], byte[]>>();
            foreach (var slot in account.Value.GetProperty("storage").EnumerateObject())
            {
                var value = RlpCodec.TrimLeadingZeros(HexInteger(slot.Value.GetString()!));
                if (value.IsEmpty) continue;
                storage.Add(new(Keccak.Hash256(Pad32(HexInteger(slot.Name))).ToArray(), RlpCodec.EncodeBytes(value)));
            }
            var code = Hex.Decode(account.Value.GetProperty("code").GetString()!);
            var body = new[]
            {
                RlpCodec.EncodeBytes(RlpCodec.TrimLeadingZeros(HexInteger(account.Value.GetProperty("nonce").GetString()!))),
                RlpCodec.EncodeBytes(RlpCodec.TrimLeadingZeros(HexInteger(account.Value.GetProperty("balance").GetString()!))),
                RlpCodec.EncodeBytes(PatriciaRoot.Compute(storage).ToArray()),
                RlpCodec.EncodeBytes(Keccak.Hash256(code).ToArray()),
            };
            accounts.Add(new(Keccak.Hash256(Hex.Decode(account.Name)).ToArray(), RlpCodec.EncodeList(body)));
        }
        return PatriciaRoot.Compute(accounts);
    }

    private static byte[] HexInteger(string hex)
    {
        var digits = hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex;
        return Hex.Decode((digits.Length % 2 == 1 ? "0" : "") + digits);
    }

    private static byte[] Pad32(byte[] value)
    {
        var padded = new byte[32];
        var trimmed = RlpCodec.TrimLeadingZeros(value);
        trimmed.CopyTo(padded.AsSpan(32 - trimmed.Length));
        return padded;
    }
}
