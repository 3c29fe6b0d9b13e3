using System.Globalization;
using System.Text;
using CellSeg.Data.Json;

namespace CellSeg.Data.Tests.Json;

public class FastDecimalTests
{
    [Fact]
    public void Short_decimals_convert_to_the_same_double_as_the_general_parser()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200_000; trial++)
        {
            var digits = random.Next(1, 16);
            var text = new StringBuilder(random.Next(4) == 0 ? "-" : string.Empty);
            var point = random.Next(0, digits + 1);
            for (var d = 0; d < digits; d++)
            {
                if (d == point && d > 0)
                {
                    text.Append('.');
                }

                // A JSON number has no leading zero before other integer digits.
                text.Append(d == 0 && point > 1 ? (char)('1' + random.Next(9)) : (char)('0' + random.Next(10)));
            }

            var s = text.ToString();
            Assert.True(FastDecimal.TryParse(Encoding.ASCII.GetBytes(s), out var fast), s);
            var general = double.Parse(s, CultureInfo.InvariantCulture);
            Assert.True(BitConverter.DoubleToInt64Bits(general) == BitConverter.DoubleToInt64Bits(fast), $"{s}: {fast:R} vs {general:R}");
        }
    }

    [Theory]
    [InlineData("1e5")]
    [InlineData("1.5E-3")]
    [InlineData("1234567890123456")]
    [InlineData("0.1234567890123456")]
    [InlineData("")]
    [InlineData("-")]
    public void Exponents_and_long_numbers_are_left_to_the_general_parser(string number)
    {
        Assert.False(FastDecimal.TryParse(Encoding.ASCII.GetBytes(number), out _));
    }

    [Fact]
    public void Negative_zero_keeps_its_sign()
    {
        Assert.True(FastDecimal.TryParse("-0.0"u8, out var value));
        Assert.True(double.IsNegative(value));
    }
}
