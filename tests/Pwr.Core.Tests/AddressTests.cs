using Pwr.Core;

namespace Pwr.Core.Tests;

public class AddressTests
{
    private const string Sample = "0x0102030405060708090a0b0c0d0e0f1011121314";

    [Fact]
    public void Parse_and_format_round_trip_in_lower_case_with_0x()
    {
        var a = Address.Parse(Sample);
        Assert.Equal(Sample, a.ToString());
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray(), a.ToArray());
        Assert.Equal(a, Address.Parse(Sample.ToUpperInvariant().Replace("0X", "0x")));
        Assert.Equal(a, Address.Parse(Sample[2..]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("0x0102030405060708090a0b0c0d0e0f10111213")]     // 19 bytes
    [InlineData("0x0102030405060708090a0b0c0d0e0f101112131415")] // 21 bytes
    [InlineData("0x0102030405060708090a0b0c0d0e0f101112131")]    // odd
    [InlineData("0x0102030405060708090a0b0c0d0e0f10111213zz")]   // not hex
    public void TryParse_rejects_anything_but_20_hex_bytes(string? text)
    {
        Assert.False(Address.TryParse(text, out var a));
        Assert.Equal(Address.Zero, a);
        if (text is not null)
        {
            var e = Assert.Throws<FormatException>(() => Address.Parse(text));
            Assert.Contains("20-byte", e.Message);
        }
    }

    [Fact]
    public void Constructor_refuses_the_wrong_length()
        => Assert.Throws<ArgumentException>(() => new Address(new byte[21]));

    [Fact]
    public void Ordering_is_unsigned_byte_order()
    {
        var random = new Random(5);
        for (int i = 0; i < 2_000; i++)
        {
            var x = new byte[20];
            var y = new byte[20];
            random.NextBytes(x);
            random.NextBytes(y);
            if (i % 3 == 0) x.AsSpan(0, random.Next(20)).CopyTo(y);
            int expected = Math.Sign(x.AsSpan().SequenceCompareTo(y));
            Assert.Equal(expected, Math.Sign(new Address(x).CompareTo(new Address(y))));
            Assert.Equal(expected == 0, new Address(x) == new Address(y));
        }
    }

    [Fact]
    public void Address_is_the_first_20_bytes_of_keccak_224_of_the_public_key()
    {
        var digest = new byte[28];
        Keccak.Hash224(TestKeys.Alice.PublicKey, digest);
        Assert.Equal(digest[..20], Address.FromPublicKey(TestKeys.Alice.PublicKey).ToArray());
    }

    [Fact]
    public void Vm_address_is_twelve_zero_bytes_then_the_vm_id()
    {
        Assert.Equal("0x0000000000000000000000000102030405060708", Address.ForVm(0x0102030405060708).ToString());
        Assert.True(Address.ForVm(0).IsZero);
        Assert.NotEqual(Address.ForVm(1), Address.ForVm(2));
    }

    [Fact]
    public void Equal_addresses_have_equal_hash_codes()
    {
        var a = Address.Parse(Sample);
        var b = new Address(a.ToArray());
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.Equals((object)b));
        Assert.False(a.Equals((object)Hash32.Zero));
    }
}
