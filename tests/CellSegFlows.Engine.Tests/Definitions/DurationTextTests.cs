using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Tests.Definitions;

public class DurationTextTests
{
    [Theory]
    [InlineData("500ms", 0, 0, 0, 500)]
    [InlineData("30s", 0, 0, 30, 0)]
    [InlineData("10m", 0, 10, 0, 0)]
    [InlineData("2h", 2, 0, 0, 0)]
    [InlineData("1.5h", 1, 30, 0, 0)]
    [InlineData("0s", 0, 0, 0, 0)]
    [InlineData("00:30:00", 0, 30, 0, 0)]
    [InlineData("36:00:00", 36, 0, 0, 0)]
    [InlineData("0:00:01.25", 0, 0, 1, 250)]
    public void Accepted_forms_read_as_expected(string text, int hours, int minutes, int seconds, int milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(new TimeSpan(0, hours, minutes, seconds, milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("30 s")]
    [InlineData("30S")]
    [InlineData("-5s")]
    [InlineData("1h30m")]
    [InlineData("PT30S")]
    [InlineData("00:60:00")]
    [InlineData("00:00:75")]
    [InlineData("1:2:3")]
    [InlineData("10m\n")]
    [InlineData("99999999999999h")]
    public void Other_forms_are_refused(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData(7_200_000, "2h")]
    [InlineData(5_400_000, "90m")]
    [InlineData(45_000, "45s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(0, "0s")]
    public void Format_writes_the_shortest_exact_form(long milliseconds, string expected)
    {
        var duration = TimeSpan.FromMilliseconds(milliseconds);
        Assert.Equal(expected, DurationText.Format(duration));
        Assert.True(DurationText.TryParse(expected, out var back));
        Assert.Equal(duration, back);
    }

    [Fact]
    public void Format_keeps_fractions_of_a_millisecond() =>
        Assert.Equal("1.5ms", DurationText.Format(TimeSpan.FromTicks(15_000)));
}
