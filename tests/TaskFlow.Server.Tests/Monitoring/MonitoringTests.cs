using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TaskFlow.Server.Tests.Deployment;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Monitoring;

/// <summary>
/// docker/prometheus (scrape configuration, the reference report's alerts and TaskFlow's, their
/// unit tests) and docker/grafana (the report's dashboard), checked with the real tools: promtool
/// for the rules, and a real Prometheus scraping a running <c>taskflow serve</c> and a running
/// <c>taskflow worker</c> for every query of the dashboard and every alert rule.
/// </summary>
public sealed partial class MonitoringTests
{
    private static readonly string PrometheusFolder = DeploymentFiles.InRepository("docker", "prometheus");
    private static readonly string Dashboard = DeploymentFiles.InRepository("docker", "grafana", "dashboards", "mcp-infrastructure-scaling-monitor.json");

    [Fact]
    public async Task Promtool_AlertRules_AreValid_AndPassTheirUnitTests()
    {
        var check = await RunAsync(PrometheusProcess.Program("promtool"), ["check", "rules", "alerts.yml"]);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("SUCCESS: 10 rules found", check.Output, StringComparison.Ordinal);

        // Series that fire each rule and series that do not (alerts.test.yml).
        var test = await RunAsync(PrometheusProcess.Program("promtool"), ["test", "rules", "alerts.test.yml"]);
        Assert.True(test.ExitCode == 0, test.Output);

        // prometheus.yml as Prometheus loads it (its rule file included), with the secret's path,
        // which exists only in the container, pointing at a file of the test's.
        var folder = Directory.CreateTempSubdirectory("taskflow-promtool-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "taskflow-api-key"), "0123456789abcdef\n");
            File.Copy(Path.Combine(PrometheusFolder, "alerts.yml"), Path.Combine(folder, "alerts.yml"));
            var configuration = (await File.ReadAllTextAsync(Path.Combine(PrometheusFolder, "prometheus.yml"))).Replace("/run/secrets/taskflow-api-key", Path.Combine(folder, "taskflow-api-key"), StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), configuration);
            var config = await RunAsync(PrometheusProcess.Program("promtool"), ["check", "config", Path.Combine(folder, "prometheus.yml")]);
            Assert.True(config.ExitCode == 0, config.Output);
            Assert.Contains("SUCCESS: 10 rules found", config.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // Every rule of alerts.yml has a test that fires it.
        var rules = RuleNames().Matches(await File.ReadAllTextAsync(Path.Combine(PrometheusFolder, "alerts.yml"))).Select(m => m.Groups[1].Value).ToList();
        var tests = await File.ReadAllTextAsync(Path.Combine(PrometheusFolder, "alerts.test.yml"));
        Assert.Equal(10, rules.Count);
        Assert.All(rules, rule => Assert.Matches(new Regex($@"alertname: {rule}\s+exp_alerts:\s+- exp_labels", RegexOptions.Multiline), tests));
    }

    [Fact]
    public async Task Prometheus_ScrapingAServerAndAWorker_AnswersEveryDashboardQuery_AndEvaluatesEveryAlert()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var (connection, drop) = await TestDatabases.CreatePostgresAsync();
        var data = TestDatabases.CreateFolder("taskflow-monitoring-");
        var graph = Path.Combine(data.Folder, "graph.jsonl");
        var memory = McpTestServers.Memory(graph);
        var environment = new Dictionary<string, string>
        {
            ["TASKFLOW_POSTGRES"] = connection,
            ["TaskFlow__Server__ApiKeys__0"] = TaskFlowApp.Key,
            ["TaskFlow__Workspaces__WarmPoolSize"] = "0",
            ["TaskFlow__Mcp__Servers__memory__Command"] = memory.Command,
            ["TaskFlow__Mcp__Servers__memory__Arguments__0"] = memory.Arguments[0],
            ["TaskFlow__Mcp__Servers__memory__Environment__MEMORY_FILE_PATH"] = graph,
        };
        var (serverPort, workerPort, prometheusPort) = (TaskFlowProcess.FreePort(), TaskFlowProcess.FreePort(), TaskFlowProcess.FreePort());
        var taskflow = Path.Combine(AppContext.BaseDirectory, "taskflow.dll");
        await using var server = TaskFlowProcess.Start("dotnet", [taskflow, "serve"], new Dictionary<string, string>(environment)
        {
            ["TaskFlow__Engine__DataDirectory"] = data.Folder,
            ["TaskFlow__Server__Urls"] = $"http://127.0.0.1:{serverPort}",
        }, data.Folder);
        await using var worker = TaskFlowProcess.Start("dotnet", [taskflow, "worker", "--metrics-urls", $"http://127.0.0.1:{workerPort}"], environment, data.Folder);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{serverPort}"), Timeout = TimeSpan.FromSeconds(90) };
            await server.WaitReadyAsync(http, TimeSpan.FromSeconds(90));
            await worker.WaitForOutputAsync("metrics at ", TimeSpan.FromSeconds(90));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TaskFlowApp.Key);

            // Prometheus scrapes both every second, with the key from a file, as docker/prometheus
            // does, and evaluates the deployment's alert rules.
            var folder = Directory.CreateTempSubdirectory("taskflow-prometheus-").FullName;
            await File.WriteAllTextAsync(Path.Combine(folder, "key"), TaskFlowApp.Key + "\n");
            File.Copy(Path.Combine(PrometheusFolder, "alerts.yml"), Path.Combine(folder, "alerts.yml"));
            await using var prometheus = await PrometheusProcess.StartAsync($$"""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [alerts.yml]
                scrape_configs:
                  - job_name: taskflow
                    authorization: { type: Bearer, credentials_file: {{Path.Combine(folder, "key")}} }
                    static_configs: [ { targets: ["127.0.0.1:{{serverPort}}"] } ]
                  - job_name: taskflow-worker
                    authorization: { type: Bearer, credentials_file: {{Path.Combine(folder, "key")}} }
                    static_configs: [ { targets: ["127.0.0.1:{{workerPort}}"] } ]
                """, folder, prometheusPort);
            await WaitForAsync(async () => (await prometheus.QueryAsync("up == 1")).Count == 2, "both targets up", prometheus, guard.Token);

            // Work for the engine and the router: a workflow that calls the memory server's tool,
            // and one that only transforms; run on whichever process claims them.
            foreach (var definition in new[]
            {
                """{ "id": "monitored-call", "nodes": [ { "id": "call", "type": "mcp.call", "inputs": { "tool": "read_graph", "arguments": {} } } ], "edges": [] }""",
                """{ "id": "monitored-transform", "nodes": [ { "id": "shout", "type": "transform", "inputs": { "value": "{{ input.text }}" } } ], "edges": [] }""",
            })
            {
                using var saved = await http.PostAsync("/api/definitions", TaskFlowApp.JsonBody(definition), guard.Token);
                Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync(guard.Token));
            }

            for (var i = 0; i < 5; i++)
            {
                foreach (var id in new[] { "monitored-call", "monitored-transform" })
                {
                    using var run = await http.PostAsync($"/api/definitions/{id}/run?wait=true&timeout=60", TaskFlowApp.JsonBody("""{ "input": { "text": "watched" } }"""), guard.Token);
                    var body = await run.Content.ReadAsStringAsync(guard.Token);
                    Assert.True(run.IsSuccessStatusCode && (string?)JsonNode.Parse(body)!["status"] == "Succeeded", body);
                }
            }

            // Every query of every panel answers with data, from the server's and the worker's metrics together.
            var queries = DashboardQueries();
            Assert.True(queries.Count >= 20, $"The dashboard has {queries.Count} queries.");
            var empty = new List<string>();
            await WaitForAsync(async () =>
            {
                empty.Clear();
                foreach (var (panel, expression) in queries)
                {
                    if ((await prometheus.QueryAsync(expression)).Count == 0)
                    {
                        empty.Add($"{panel}: {expression}");
                    }
                }

                return empty.Count == 0;
            }, "every dashboard query has data", prometheus, guard.Token, () => string.Join("\n", empty));

            // The worker exports the engine's and the process's figures itself.
            foreach (var metric in new[] { "taskflow_engine_worker_utilization", "taskflow_process_memory_limit_bytes", "process_working_set_bytes", "mcp_health_status" })
            {
                Assert.NotEmpty(await prometheus.QueryAsync($"{metric}{{job=\"taskflow-worker\"}}"));
            }

            // Every alert rule evaluates against the real series without an error, and none fires on a healthy pair.
            var rules = (await prometheus.Http.GetFromJsonAsync<JsonObject>("/api/v1/rules", guard.Token))!["data"]!["groups"]!.AsArray()
                .SelectMany(g => g!["rules"]!.AsArray()).ToList();
            Assert.Equal(10, rules.Count);
            Assert.All(rules, r => Assert.True((string?)r!["health"] == "ok", $"{r!["name"]}: {r["lastError"]}"));
            Assert.Empty(await prometheus.QueryAsync("ALERTS{alertstate=\"firing\", severity=\"critical\"}"));
        }
        finally
        {
            await worker.StopAsync(TimeSpan.FromSeconds(10));
            await server.StopAsync(TimeSpan.FromSeconds(10));
            await data.Delete();
            await drop();
        }
    }

    /// <summary>Every panel's queries, with Grafana's interval variables replaced as Grafana would for a short range.</summary>
    private static List<(string Panel, string Expression)> DashboardQueries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Dashboard))!;
        return [.. dashboard["panels"]!.AsArray()
            .Where(p => (string?)p!["type"] != "row")
            .SelectMany(p => p!["targets"]!.AsArray().Select(t => ((string)p["title"]!, ((string)t!["expr"]!)
                .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
                .Replace("$__range", "5m", StringComparison.Ordinal))))];
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, PrometheusProcess prometheus, CancellationToken cancellationToken, Func<string>? detail = null)
    {
        while (!await condition())
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting for {what}. {detail?.Invoke()}\nPrometheus:\n{prometheus.Output}");
            }

            await Task.Delay(500, CancellationToken.None);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = PrometheusFolder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    [GeneratedRegex(@"^\s+- alert: (\w+)", RegexOptions.Multiline)]
    private static partial Regex RuleNames();
}
