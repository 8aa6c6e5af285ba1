using TaskFlow.Core.Model;

namespace TaskFlow.Core.Tests.Model;

public class DurationTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1h 30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("00:01:30", 90_000)]
    [InlineData("1.02:00:00", 93_600_000)]
    [InlineData("90", 90_000)]
    [InlineData("0.25", 250)]
    [InlineData("0", 0)]
    [InlineData(" 45s ", 45_000)]
    public void TryParse_SupportedFormat_ReturnsTheDuration(string text, long expectedMilliseconds)
    {
        var ok = Duration.TryParse(text, out var value);

        Assert.True(ok);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-1")]
    [InlineData("-00:00:05")]
    [InlineData("5 parsecs")]
    [InlineData("5x")]
    [InlineData("ms")]
    [InlineData("5M")]
    [InlineData("1h-30m")]
    [InlineData("Infinity")]
    [InlineData("1e300")]
    public void TryParse_NotADuration_ReturnsFalseAndZero(string? text)
    {
        var ok = Duration.TryParse(text, out var value);

        Assert.False(ok);
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("99999999999999999d")]
    [InlineData("99999999999999999999999999ms")]
    [InlineData("\u0663s")]
    public void TryParse_PathologicalInput_ReturnsFalseInsteadOfThrowing(string text)
    {
        // TryParse backs validation of user documents: it must answer, never throw.
        var ok = Duration.TryParse(text, out var value);

        Assert.False(ok);
        Assert.Equal(TimeSpan.Zero, value);
    }

    [Fact]
    public void Parse_Valid_ReturnsTheDuration()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), Duration.Parse("5m", "retry.delay"));
    }

    [Fact]
    public void Parse_Invalid_ThrowsNamingWhatAndTheText()
    {
        var ex = Assert.Throws<FormatException>(() => Duration.Parse("5 parsecs", "node 'a' timeout"));

        Assert.StartsWith("node 'a' timeout: '5 parsecs' is not a duration", ex.Message);
        Assert.Contains("30s", ex.Message);
    }
}
