using Pwr.Core;

namespace Pwr.Core.Tests;

public class Hash32Tests
{
    private const string Sample = "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    [Fact]
    public void Parse_and_format_round_trip_in_lower_case_with_0x()
    {
        var h = Hash32.Parse(Sample);
        Assert.Equal(Sample, h.ToString());
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), h.ToArray());
        Assert.Equal(h, new Hash32(h.ToArray()));
    }

    [Theory]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")]
    [InlineData("0X000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")]
    [InlineData("  0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f  ")]
    public void Parse_accepts_missing_prefix_upper_case_and_surrounding_space(string text)
        => Assert.Equal(Hash32.Parse(Sample), Hash32.Parse(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("0x00")]
    [InlineData("0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e")]     // 31 bytes
    [InlineData("0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")] // 33 bytes
    [InlineData("0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1")]    // odd
    [InlineData("0xg00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")]   // not hex
    public void TryParse_rejects_anything_but_32_hex_bytes(string? text)
    {
        Assert.False(Hash32.TryParse(text, out var h));
        Assert.Equal(Hash32.Zero, h);
        if (text is not null) Assert.Throws<FormatException>(() => Hash32.Parse(text));
    }

    [Fact]
    public void Constructor_refuses_the_wrong_length()
        => Assert.Throws<ArgumentException>(() => new Hash32(new byte[31]));

    [Fact]
    public void Zero_is_default_and_is_zero()
    {
        Assert.True(Hash32.Zero.IsZero);
        Assert.True(default(Hash32).IsZero);
        Assert.False(Hash32.Parse(Sample).IsZero);
        Assert.Equal("0x" + new string('0', 64), Hash32.Zero.ToString());
    }

    [Fact]
    public void Ordering_is_unsigned_byte_order()
    {
        var random = new Random(3);
        for (int i = 0; i < 2_000; i++)
        {
            var a = new byte[32];
            var b = new byte[32];
            random.NextBytes(a);
            random.NextBytes(b);
            if (i % 3 == 0) a.AsSpan(0, random.Next(32)).CopyTo(b); // share a prefix, so later words decide
            int expected = Math.Sign(a.AsSpan().SequenceCompareTo(b));
            Assert.Equal(expected, Math.Sign(new Hash32(a).CompareTo(new Hash32(b))));
            Assert.Equal(expected == 0, new Hash32(a) == new Hash32(b));
        }
        Assert.True(Hash32.Parse("0x" + "80" + new string('0', 62)).CompareTo(Hash32.Parse("0x" + "7f" + new string('f', 62))) > 0);
    }

    [Fact]
    public void Equal_hashes_have_equal_hash_codes_and_work_as_dictionary_keys()
    {
        var a = Hash32.Parse(Sample);
        var b = Hash32.Parse(Sample.ToUpperInvariant().Replace("0X", "0x"));
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        var set = new HashSet<Hash32> { a, b, Hash32.Zero };
        Assert.Equal(2, set.Count);
    }
}
