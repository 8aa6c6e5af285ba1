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

    [Fact]
    public void DueTicks_ASecondsScheduleAfterAFifteenSecondPoll_AreEveryTickSinceTheWindowStart()
    {
        var tick = DateTimeOffset.Parse("2026-12-05T10:50:18Z", System.Globalization.CultureInfo.InvariantCulture);

        var (ticks, skipped) = CronTriggerJob.DueTicks("* * * * * *", null, tick.AddSeconds(-15), tick, CronTriggerJob.MaxTicksPerRun);

        Assert.Equal(0, skipped);
        Assert.Equal(Enumerable.Range(1, 15).Select(i => tick.AddSeconds(-15 + i)), ticks);
    }

    [Fact]
    public void DueTicks_MoreThanTheLimit_KeepsTheNewestAndCountsTheRest()
    {
        var tick = DateTimeOffset.Parse("2026-12-05T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var (ticks, skipped) = CronTriggerJob.DueTicks("* * * * * *", null, tick.AddMinutes(-5), tick, 100);

        Assert.Equal(200, skipped);
        Assert.Equal(100, ticks.Count);
        Assert.Equal(tick.AddSeconds(-99), ticks[0]);
        Assert.Equal(tick, ticks[^1]);
    }

    [Fact]
    public void DueTicks_WindowStartAtOrAfterTheTick_IsTheTickAlone()
    {
        var tick = DateTimeOffset.Parse("2026-12-05T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal([tick], CronTriggerJob.DueTicks("*/2 * * * * *", null, tick, tick, 10).Ticks);
        Assert.Equal([tick], CronTriggerJob.DueTicks("*/2 * * * * *", null, tick.AddSeconds(5), tick, 10).Ticks);
    }

    [Fact]
    public void DueTicks_HourlyScheduleWithAFiveMinuteWindow_IsTheTickAlone()
    {
        var tick = DateTimeOffset.Parse("2026-12-05T11:15:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal([tick], CronTriggerJob.DueTicks("15 * * * *", null, tick.AddMinutes(-5), tick, 10).Ticks);
    }

    [Fact]
    public void DueTicks_ATimeThatIsNoOccurrence_IsStartedAfterTheOccurrencesBeforeIt()
    {
        var at = DateTimeOffset.Parse("2026-12-05T11:00:03Z", System.Globalization.CultureInfo.InvariantCulture);

        var (ticks, _) = CronTriggerJob.DueTicks("*/2 * * * * *", null, at.AddSeconds(-4), at, 10);

        Assert.Equal([at.AddSeconds(-3), at.AddSeconds(-1), at], ticks);
    }
}
