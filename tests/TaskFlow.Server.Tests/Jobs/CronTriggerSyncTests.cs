using System.Net;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Jobs;

public sealed class CronTriggerSyncTests
{
    private static string Scheduled(string triggers) => $$"""
        { "id": "nightly", "triggers": [ {{triggers}} ],
          "nodes": [ { "id": "a", "type": "noop" } ], "edges": [] }
        """;

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task RecurringJobs_FollowThePublishedDefinition(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        Assert.Empty(CronJobs(app));

        await app.SaveAsync(Scheduled("""{ "type": "cron", "cron": "0 9 * * *", "timeZone": "Europe/Berlin" }, { "type": "manual" }"""));
        var created = Assert.Single(CronJobs(app));
        Assert.Equal(("cron:nightly:0", "0 9 * * *", "Europe/Berlin"), (created.Id, created.Cron, created.TimeZoneId));

        await app.SaveAsync(Scheduled("""{ "type": "cron", "cron": "30 2 * * *" }, { "type": "cron", "cron": "*/10 * * * * *", "input": { "x": 1 } }"""));
        Assert.Equal(
            [("cron:nightly:0", "30 2 * * *", "UTC"), ("cron:nightly:1", "*/10 * * * * *", "UTC")],
            CronJobs(app).Select(j => (j.Id, j.Cron, j.TimeZoneId)).OrderBy(j => j.Id).ToArray());

        // A draft changes nothing until it is published.
        using (var draft = await app.Client.PutAsync("/api/definitions/nightly?publish=false", TaskFlowApp.JsonBody(Scheduled("""{ "type": "manual" }"""))))
        {
            Assert.Equal(HttpStatusCode.OK, draft.StatusCode);
        }

        Assert.Equal(2, CronJobs(app).Count);
        using (var publish = await app.Client.PostAsync("/api/definitions/nightly/publish", null))
        {
            Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        }

        Assert.Empty(CronJobs(app));

        using (var publishOld = await app.Client.PostAsync("/api/definitions/nightly/publish?version=1", null))
        {
            Assert.Equal(HttpStatusCode.OK, publishOld.StatusCode);
        }

        Assert.Equal("0 9 * * *", Assert.Single(CronJobs(app)).Cron);
        using (var delete = await app.Client.DeleteAsync("/api/definitions/nightly"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.Empty(CronJobs(app));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task RetentionAndSync_AreRecurringJobs(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, new Dictionary<string, string?> { ["TaskFlow:Jobs:RetentionCron"] = "45 4 * * *" });

        // Registered in the background at start (a database that is down must not stop the server).
        var jobs = new Dictionary<string, RecurringJobDto>();
        for (var wait = 0; wait < 100 && jobs.Count < 2; wait++)
        {
            await Task.Delay(100);
            using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
            jobs = connection.GetRecurringJobs().ToDictionary(j => j.Id);
        }

        Assert.Equal("45 4 * * *", jobs["retention"].Cron);
        Assert.Equal("* * * * *", jobs["cron-sync"].Cron);
    }

    [Fact]
    public async Task Dashboard_NeedsTheKey_AndServesWithIt()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);

        using var anonymous = await app.CreateAnonymousClient().GetAsync("/hangfire");
        using var withKey = await app.Client.GetAsync("/hangfire/recurring");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        var page = await withKey.Content.ReadAsStringAsync();
        Assert.Contains("TaskFlow jobs", page, StringComparison.Ordinal);
        Assert.Contains("retention", page, StringComparison.Ordinal);
    }

    private static List<RecurringJobDto> CronJobs(TaskFlowApp app)
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().Where(j => j.Id.StartsWith("cron:", StringComparison.Ordinal)).ToList();
    }
}
