using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Diagnostics;

public sealed class MetricsTests
{
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Metrics_AfterRuns_ExposeInstanceActivityQueueAndWorkerMetrics(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair"));
        await app.SaveAsync("""{ "id": "boom", "nodes": [ { "id": "boom", "type": "fail", "inputs": { "message": "no" } } ], "edges": [] }""");
        (await app.Client.PostAsync("/api/definitions/pair/run?wait=true", null)).Dispose();
        (await app.Client.PostAsync("/api/definitions/pair/run?wait=true", null)).Dispose();
        (await app.Client.PostAsync("/api/definitions/boom/run?wait=true", null)).Dispose();

        using var response = await app.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, Value(text, "taskflow_engine_instances_started"));
        Assert.Equal(2, Value(text, "taskflow_engine_instances_finished", "status=\"Succeeded\""));
        Assert.Equal(1, Value(text, "taskflow_engine_instances_finished", "status=\"Failed\""));
        Assert.Equal(4, Value(text, "taskflow_engine_activity_duration_seconds_count", "type=\"transform\""));
        Assert.Equal(1, Value(text, "taskflow_engine_activity_duration_seconds_count", "type=\"fail\""));
        Assert.Matches(new Regex(@"^taskflow_engine_queue_depth(\{[^}]*\})? \d", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^taskflow_engine_worker_utilization(\{[^}]*\})? [0-9.]+", RegexOptions.Multiline), text);
    }

    [Fact]
    public async Task Metrics_WithoutKey_Returns401()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);
        using var anonymous = app.CreateAnonymousClient();

        using var response = await anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Sums the samples of a metric whose labels contain <paramref name="label"/>.</summary>
    private static double Value(string text, string name, string label = "")
    {
        var total = 0.0;
        var found = false;
        foreach (Match match in Regex.Matches(text, $@"^{Regex.Escape(name)}(\{{(?<labels>[^}}]*)\}})? (?<value>\S+)", RegexOptions.Multiline))
        {
            if (match.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            {
                total += double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
                found = true;
            }
        }

        return found ? total : throw new Xunit.Sdk.XunitException($"No sample of {name} {label} in:{Environment.NewLine}{string.Join(Environment.NewLine, text.Split('\n').Where(l => l.StartsWith("taskflow", StringComparison.Ordinal)))}");
    }
}
