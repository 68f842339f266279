using Pwr.Core;
using Pwr.Vm.Evm.Rlp;
using RlpCodec = Pwr.Vm.Evm.Rlp.Rlp;

namespace Pwr.Vm.Evm.Tests.Rlp;

public class RlpReaderTests
{
    private static RlpError ReadBytesError(string hex)
    {
        var reader = new RlpReader(Hex.Decode(hex));
        Assert.False(reader.TryReadBytes(out _));
        return reader.Error;
    }

    [Fact]
    public void Reads_back_what_the_writer_wrote()
    {
        var encoded = RlpCodec.EncodeList(RlpCodec.EncodeUInt64(1024), RlpCodec.EncodeBytes("dog"u8), RlpCodec.EncodeList(RlpCodec.EncodeUInt64(0)));
        var reader = new RlpReader(encoded);
        Assert.True(reader.TryReadList(out var items));
        Assert.True(reader.TryReadEnd());
        Assert.True(items.TryReadUInt64(out ulong number));
        Assert.Equal(1024UL, number);
        Assert.True(items.TryReadBytes(out var dog));
        Assert.Equal("dog"u8.ToArray(), dog.ToArray());
        Assert.True(items.NextIsList);
        Assert.True(items.TryReadList(out var inner));
        Assert.True(inner.TryReadUInt64(out ulong zero));
        Assert.Equal(0UL, zero);
        Assert.True(inner.TryReadEnd());
        Assert.True(items.TryReadEnd());
    }

    [Fact]
    public void Single_byte_below_0x80_written_as_a_string_is_rejected()
        => Assert.Equal(RlpError.SingleByteAsString, ReadBytesError("0x8105"));

    [Fact]
    public void Single_byte_0x80_written_as_a_string_is_accepted()
    {
        var reader = new RlpReader(Hex.Decode("0x8180"));
        Assert.True(reader.TryReadBytes(out var value));
        Assert.Equal([0x80], value.ToArray());
    }

    [Fact]
    public void Long_form_for_a_short_string_is_rejected()
        => Assert.Equal(RlpError.NonCanonicalSize, ReadBytesError("0xb803646f67"));

    [Fact]
    public void Long_length_with_a_leading_zero_is_rejected()
        => Assert.Equal(RlpError.NonCanonicalSize, ReadBytesError("0xb90038" + new string('0', 112)));

    [Fact]
    public void Long_form_for_a_short_list_is_rejected()
    {
        var reader = new RlpReader(Hex.Decode("0xf80180"));
        Assert.False(reader.TryReadList(out _));
        Assert.Equal(RlpError.NonCanonicalSize, reader.Error);
    }

    [Fact]
    public void Integer_with_leading_zero_is_rejected()
    {
        var reader = new RlpReader(Hex.Decode("0x820001"));
        Assert.False(reader.TryReadUInt64(out _));
        Assert.Equal(RlpError.NonCanonicalInteger, reader.Error);
    }

    [Fact]
    public void Zero_written_as_byte_0x00_is_not_a_canonical_integer()
    {
        var reader = new RlpReader([0x00]);
        Assert.False(reader.TryReadUInt64(out _));
        Assert.Equal(RlpError.NonCanonicalInteger, reader.Error);
    }

    [Fact]
    public void Integer_wider_than_the_field_is_rejected()
    {
        var reader = new RlpReader(Hex.Decode("0x89010000000000000000"));
        Assert.False(reader.TryReadUInt64(out _));
        Assert.Equal(RlpError.IntegerOverflow, reader.Error);
    }

    [Fact]
    public void String_longer_than_the_input_is_truncated()
        => Assert.Equal(RlpError.Truncated, ReadBytesError("0x83646f"));

    [Fact]
    public void Missing_length_bytes_are_truncated()
        => Assert.Equal(RlpError.Truncated, ReadBytesError("0xb9"));

    [Fact]
    public void Empty_input_is_end_of_input()
        => Assert.Equal(RlpError.EndOfInput, ReadBytesError("0x"));

    [Fact]
    public void Item_running_past_its_list_is_rejected()
    {
        // The list claims 2 bytes of payload but its string claims 3.
        var reader = new RlpReader(Hex.Decode("0xc283646f67"));
        Assert.True(reader.TryReadList(out var items));
        Assert.False(items.TryReadBytes(out _));
        Assert.Equal(RlpError.ElementLargerThanList, items.Error);
    }

    [Fact]
    public void Trailing_bytes_after_the_value_are_rejected()
    {
        var reader = new RlpReader(Hex.Decode("0x8364"+ "6f6700"));
        Assert.True(reader.TryReadBytes(out _));
        Assert.False(reader.TryReadEnd());
        Assert.Equal(RlpError.TrailingBytes, reader.Error);
        Assert.Equal(4, reader.Offset);
    }

    [Fact]
    public void Extra_list_items_and_missing_list_items_are_reported()
    {
        var reader = new RlpReader(Hex.Decode("0xc20102"));
        Assert.True(reader.TryReadList(out var items));
        Assert.True(items.TryReadUInt64(out _));
        Assert.False(items.TryReadEnd());
        Assert.Equal(RlpError.TooManyElements, items.Error);
        Assert.True(items.TryReadUInt64(out _));
        Assert.False(items.TryReadUInt64(out _));
        Assert.Equal(RlpError.TooFewElements, items.Error);
    }

    [Fact]
    public void List_where_a_string_is_expected_and_the_reverse_are_rejected()
    {
        Assert.Equal(RlpError.ExpectedString, ReadBytesError("0xc0"));
        var reader = new RlpReader(Hex.Decode("0x80"));
        Assert.False(reader.TryReadList(out _));
        Assert.Equal(RlpError.ExpectedList, reader.Error);
    }

    [Fact]
    public void Fixed_size_field_of_another_size_is_rejected()
    {
        var reader = new RlpReader(RlpCodec.EncodeBytes(new byte[19]));
        Assert.False(reader.TryReadFixed(20, out _));
        Assert.Equal(RlpError.WrongSize, reader.Error);
    }

    [Fact]
    public void Encoded_item_is_returned_with_its_header()
    {
        var encoded = RlpCodec.EncodeList(RlpCodec.EncodeBytes("cat"u8), RlpCodec.EncodeBytes("dog"u8));
        var reader = new RlpReader(encoded);
        Assert.True(reader.TryReadEncoded(out var item));
        Assert.Equal(encoded, item.ToArray());
    }

    [Fact]
    public void Errors_have_geth_style_messages()
    {
        Assert.Equal("rlp: non-canonical size information", RlpCodec.Describe(RlpError.NonCanonicalSize));
        Assert.StartsWith("rlp: ", RlpCodec.Describe(RlpError.ElementLargerThanList));
    }
}
