namespace Pwr.Core.Tests;

public class LengthPrefixedTests
{
    [Fact]
    public void Encode_then_split_returns_the_items_including_empty_ones()
    {
        byte[][] items = [[1, 2, 3], [], [9]];
        var encoded = LengthPrefixed.Encode(items);
        Assert.Equal(new byte[] { 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 1, 9 }, encoded);
        Assert.True(LengthPrefixed.TrySplit(encoded, out var split, out var error));
        Assert.Equal("", error);
        Assert.Equal(items, split.Select(m => m.ToArray()).ToArray());
    }

    [Fact]
    public void Encode_of_a_range_takes_only_that_range()
        => Assert.Equal(new byte[] { 0, 0, 0, 1, 2 }, LengthPrefixed.Encode([[1], [2], [3]], 1, 2));

    [Fact]
    public void A_cut_length_prefix_is_refused_with_its_position()
    {
        Assert.False(LengthPrefixed.TrySplit(new byte[] { 0, 0, 0, 1, 7, 0, 0 }, out _, out var error));
        Assert.Equal("ends inside a length prefix at byte 5", error);
    }

    [Fact]
    public void A_length_past_the_end_is_refused_with_the_item_index()
    {
        Assert.False(LengthPrefixed.TrySplit(new byte[] { 0, 0, 0, 1, 7, 0, 0, 0, 5, 1, 2 }, out _, out var error));
        Assert.Equal("transaction 1 claims 5 bytes, only 2 remain", error);
    }

    [Fact]
    public void More_items_than_allowed_stop_the_split_at_the_first_extra_one()
    {
        var encoded = LengthPrefixed.Encode([[], [], []]);
        Assert.True(LengthPrefixed.TrySplit(encoded, out _, out _, maxItems: 3));
        Assert.False(LengthPrefixed.TrySplit(encoded, out var items, out var error, maxItems: 2));
        Assert.Equal(2, items.Count);
        Assert.Equal("at most 2 transactions per batch", error);
    }
}
