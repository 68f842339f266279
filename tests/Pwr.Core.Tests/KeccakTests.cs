using System.Text;
using Pwr.Core;

namespace Pwr.Core.Tests;

public class KeccakTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Theory]
    [InlineData("", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    [InlineData("The quick brown fox jumps over the lazy dog", "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")]
    public void Keccak256_matches_known_vectors(string input, string expected)
        => Assert.Equal(expected, Keccak.Hash256(Utf8(input)).ToString());

    [Fact]
    public void Keccak224_of_empty_matches_the_known_vector()
    {
        var output = new byte[28];
        Keccak.Hash224([], output);
        Assert.Equal("f71837502ba8e10837bdd8d365adb85591895602fc552b48b7390abd", Hex.Encode(output, prefix: false));
    }

    [Fact]
    public void Keccak256_is_not_sha3_256()
    {
        // SHA3-256("") = a7ffc6f8…; the original Keccak padding gives c5d24601…: a swapped digest would show here.
        Assert.NotEqual("0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", Keccak.Hash256([]).ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(135)]
    [InlineData(136)] // one Keccak-256 rate block
    [InlineData(137)]
    [InlineData(733)]
    public void Span_overload_two_part_overload_and_incremental_hasher_agree(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        var expected = Keccak.Hash256(data);

        var output = new byte[32];
        Keccak.Hash256(data, output.AsSpan()); 
        Assert.Equal(expected.ToArray(), output);

        for (int split = 0; split <= length; split += Math.Max(1, length / 7))
        {
            // Read-only spans: with a Span<byte> second argument the (data, output) overload would be chosen instead.
            ReadOnlySpan<byte> all = data;
            Assert.Equal(expected, Keccak.Hash256Concat(all[..split], all[split..]));
            var hasher = new Keccak.Hasher();
            hasher.Update(data.AsSpan(0, split));
            hasher.Update(data.AsSpan(split));
            Assert.Equal(expected, hasher.Finish());
            // The span form writes the same hash, and each Finish starts the hasher over.
            hasher.Update(data);
            var written = new byte[32];
            hasher.Finish(written);
            Assert.Equal(expected.ToArray(), written);
        }
    }

    [Fact]
    public void Hash_pair_is_keccak_of_the_two_hashes_side_by_side()
    {
        var left = Keccak.Hash256(Utf8("left"));
        var right = Keccak.Hash256(Utf8("right"));
        Assert.Equal(Keccak.Hash256([.. left.ToArray(), .. right.ToArray()]), Keccak.HashPair(left, right));
        Assert.NotEqual(Keccak.HashPair(left, right), Keccak.HashPair(right, left));
    }

    [Fact]
    public void Hashing_on_many_threads_at_once_gives_the_same_results()
    {
        // The digests are per-thread; a shared one would interleave state between threads.
        var inputs = Enumerable.Range(0, 64).Select(i => Utf8(new string('x', i * 13))).ToArray();
        var expected = inputs.Select(i => Keccak.Hash256(i)).ToArray();
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int k = i % inputs.Length;
            Assert.Equal(expected[k], Keccak.Hash256(inputs[k]));
        });
    }
}
