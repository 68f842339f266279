using Pwr.Core;

namespace Pwr.Core.Tests;

public class UnitsTests
{
    [Theory]
    [InlineData(0UL, "0 PWR")]
    [InlineData(1UL, "0.000000001 PWR")]
    [InlineData(1_500_000_000UL, "1.5 PWR")]
    [InlineData(1_000_000_000UL, "1 PWR")]
    [InlineData(123_456_789_012UL, "123.456789012 PWR")]
    [InlineData(ulong.MaxValue, "18446744073.709551615 PWR")]
    public void Format_writes_whole_pwr_and_trims_fraction_zeros(ulong units, string expected)
        => Assert.Equal(expected, Units.Format(units));

    [Theory]
    [InlineData("1.5 PWR", 1_500_000_000UL)]
    [InlineData("1.5PWR", 1_500_000_000UL)]
    [InlineData("1.5 pwr", 1_500_000_000UL)]
    [InlineData("  2 PWR  ", 2_000_000_000UL)]
    [InlineData("0.000000001 PWR", 1UL)]
    [InlineData("1. PWR", 1_000_000_000UL)]
    [InlineData(".5 PWR", 500_000_000UL)]
    [InlineData("1.000000000 PWR", 1_000_000_000UL)]
    [InlineData("1.5000000000000 PWR", 1_500_000_000UL)]
    [InlineData("18446744073.709551615 PWR", ulong.MaxValue)]
    [InlineData("1500", 1500UL)]
    [InlineData("0", 0UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void TryParse_accepts_units_and_pwr_amounts(string text, ulong expected)
    {
        Assert.True(Units.TryParse(text, out var units));
        Assert.Equal(expected, units);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("-1 PWR")]
    [InlineData("1.0000000001PWR")]           // finer than one unit
    [InlineData("0.0000000005 PWR")]
    [InlineData("1.5")]                        // units are whole numbers
    [InlineData("PWR")]
    [InlineData(". PWR")]
    [InlineData("1e3 PWR")]
    [InlineData("1,5 PWR")]
    [InlineData("1 000 PWR")]
    [InlineData("18446744073709551616")]      // ulong.MaxValue + 1 units
    [InlineData("18446744073.709551616 PWR")] // ulong.MaxValue + 1 units
    [InlineData("18446744074 PWR")]
    [InlineData("79228162514264337593543950335 PWR")] // decimal.MaxValue: must not overflow into an exception
    [InlineData("1.00000000000000000000000000001 PWR")] // more digits than decimal holds: must not round to 1 PWR
    [InlineData("0x10")]
    public void TryParse_rejects_negative_fractional_units_and_out_of_range_amounts(string? text)
    {
        Assert.False(Units.TryParse(text, out var units));
        Assert.Equal(0UL, units);
    }

    [Fact]
    public void Format_then_parse_gives_back_the_same_units()
    {
        var random = new Random(11);
        foreach (var units in new ulong[] { 0, 1, 999_999_999, 1_000_000_000, ulong.MaxValue }
                     .Concat(Enumerable.Range(0, 1000).Select(_ => (ulong)random.NextInt64() * 2 + (ulong)random.Next(2))))
        {
            Assert.True(Units.TryParse(Units.Format(units), out var parsed), Units.Format(units));
            Assert.Equal(units, parsed);
        }
    }
}
