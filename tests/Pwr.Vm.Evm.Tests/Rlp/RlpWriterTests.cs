using Pwr.Core;
using Pwr.Vm.Evm.Rlp;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Tests.Rlp;

public class RlpWriterTests
{
    private static byte[] Ascii(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    [Theory]
    [InlineData("dog", "0x83646f67")]
    [InlineData("", "0x80")]
    [InlineData("\u0001", "0x01")]
    [InlineData("\u007f", "0x7f")]
    [InlineData("Lorem ipsum dolor sit amet, consectetur adipisicing elit",
        "0xb8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974")]
    public void Strings_encode_as_in_the_yellow_paper(string text, string expected)
    {
        var value = Ascii(text);
        Assert.Equal(expected, Hex.Encode(RlpCodec.EncodeBytes(value)));
        Assert.Equal(Hex.Decode(expected).Length, RlpCodec.BytesLength(value));
    }

    [Fact]
    public void Byte_0x80_and_above_gets_a_one_byte_string_header()
        => Assert.Equal("0x8180", Hex.Encode(RlpCodec.EncodeBytes([0x80])));

    [Theory]
    [InlineData(0UL, "0x80")]
    [InlineData(15UL, "0x0f")]
    [InlineData(127UL, "0x7f")]
    [InlineData(128UL, "0x8180")]
    [InlineData(1024UL, "0x820400")]
    [InlineData(ulong.MaxValue, "0x88ffffffffffffffff")]
    public void Integers_encode_minimal_big_endian(ulong value, string expected)
    {
        Assert.Equal(expected, Hex.Encode(RlpCodec.EncodeUInt64(value)));
        Assert.Equal(Hex.Decode(expected).Length, RlpCodec.UInt64Length(value));
    }

    [Fact]
    public void Wide_integer_drops_leading_zero_bytes()
    {
        var buffer = new byte[RlpCodec.IntegerLength([0, 0, 0x04, 0x00])];
        var writer = new RlpWriter(buffer);
        writer.WriteInteger([0, 0, 0x04, 0x00]);
        Assert.Equal("0x820400", Hex.Encode(buffer));
    }

    [Fact]
    public void Lists_encode_as_in_the_yellow_paper()
    {
        Assert.Equal("0xc0", Hex.Encode(RlpCodec.EncodeList()));
        Assert.Equal("0xc88363617483646f67", Hex.Encode(RlpCodec.EncodeList(RlpCodec.EncodeBytes(Ascii("cat")), RlpCodec.EncodeBytes(Ascii("dog")))));
        // The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ].
        var empty = RlpCodec.EncodeList();
        var one = RlpCodec.EncodeList(empty);
        Assert.Equal("0xc7c0c1c0c3c0c1c0", Hex.Encode(RlpCodec.EncodeList(empty, one, RlpCodec.EncodeList(empty, one))));
    }

    [Fact]
    public void Long_list_uses_a_length_of_length_header()
    {
        var item = RlpCodec.EncodeBytes(new byte[60]);
        var list = RlpCodec.EncodeList(item);
        Assert.Equal(0xf8, list[0]);
        Assert.Equal(item.Length, list[1]);
        Assert.Equal(RlpCodec.ListLength(item.Length), list.Length);
    }

    [Fact]
    public void Writer_fills_a_buffer_sized_by_the_length_helpers()
    {
        int payload = RlpCodec.UInt64Length(300) + RlpCodec.BytesLength(new byte[100]);
        var buffer = new byte[RlpCodec.ListLength(payload)];
        var writer = new RlpWriter(buffer);
        writer.WriteListHeader(payload);
        writer.WriteUInt64(300);
        writer.WriteBytes(new byte[100]);
        Assert.Equal(buffer.Length, writer.Position);
        Assert.Equal("0xf86982012cb864", Hex.Encode(buffer.AsSpan(0, 7)));
    }
}
