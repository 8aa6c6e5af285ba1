using TaskFlow.Engine.Jobs;

namespace TaskFlow.Engine.Tests.Jobs;

public sealed class CronTickTests
{
    [Theory]
    // Every 2 s: a run queued late, or exactly on time, belongs to the latest tick.
    [InlineData("*/2 * * * * *", null, "2026-11-24T10:00:03.500Z", "2026-11-24T10:00:02Z")]
    [InlineData("*/2 * * * * *", null, "2026-11-24T10:00:02Z", "2026-11-24T10:00:02Z")]
    // Hourly at :15, queued 20 minutes late.
    [InlineData("15 * * * *", null, "2026-11-24T10:35:00Z", "2026-11-24T10:15:00Z")]
    // 09:00 in Berlin is 08:00 UTC in winter.
    [InlineData("0 9 * * *", "Europe/Berlin", "2026-11-24T12:00:00Z", "2026-11-24T08:00:00Z")]
    // Yearly: found by widening the look-back window.
    [InlineData("0 0 1 1 *", null, "2026-11-24T12:00:00Z", "2026-01-01T00:00:00Z")]
    public void Tick_IsTheLatestOccurrenceAtOrBeforeTheQueuedTime(string cron, string? timeZone, string at, string expected)
    {
        var tick = CronTriggerJob.Tick(cron, timeZone, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), tick);
    }

    [Fact]
    public void StartKey_NamesDefinitionTriggerAndTickInUtc()
    {
        var key = CronTriggerJob.StartKey("nightly", 1, new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(1)));

        Assert.Equal("cron:nightly:1:2026-11-24T08:00:00Z", key);
    }
}
