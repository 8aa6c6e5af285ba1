using System.Net;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Health;

public sealed class HealthTests
{
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Ready_DatabaseUp_Returns200Healthy(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.CreateAnonymousClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    /// <summary>SQLite without the schema (migrations off), or a PostgreSQL nobody listens on: readiness fails, liveness does not.</summary>
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Ready_DatabaseUnusable_Returns503ButLiveStays200(string provider)
    {
        var settings = new Dictionary<string, string?>
        {
            ["TaskFlow:Engine:MigrateOnStart"] = "false",
            ["TaskFlow:Engine:RunWorkers"] = "false",
        };
        if (provider == TaskFlowApp.Postgres)
        {
            settings["TaskFlow:Engine:PostgresConnectionString"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=secret-pw;Database=none;Timeout=2";
        }

        await using var app = await TaskFlowApp.StartAsync(provider, settings);
        using var client = app.CreateAnonymousClient();

        using var ready = await client.GetAsync("/health/ready");
        using var live = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var text = await ready.Content.ReadAsStringAsync();
        Assert.Equal("Unhealthy", text);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
