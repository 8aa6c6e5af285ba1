using System.Text.RegularExpressions;
using TaskFlow.Server.Tests.Hooks;

namespace TaskFlow.Server.Tests.Mcp;

/// <summary><c>taskflow mcp loadtest</c>: the reference report's load test, bounded by its flags, on loopback only.</summary>
public sealed class McpLoadTestCommandTests
{
    [Fact]
    public async Task LoadTest_ShortRun_EveryCallReachesItsServer_AndTheReportsCriteriaArePrinted()
    {
        var result = await CliProcess.TaskFlowAsync(["mcp", "loadtest", "--servers", "3", "--duration", "2", "--tps", "60"], null, AppContext.BaseDirectory, timeout: TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"loadtest: 3 simulated servers \(Streamable HTTP on http://127\.0\.0\.1:\d+/\)", result.Stdout);
        foreach (var server in new[] { "sim-0001", "sim-0002", "sim-0003" })
        {
            // 120 calls in turn over three servers: 40 each, none failed, no breaker moved.
            Assert.Matches(new Regex($@"^{server}\s+40\s+0\s+.*\s+none$", RegexOptions.Multiline), result.Stdout);
        }

        Assert.Contains("total: 120 calls in ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("| error rate < 0.1% (staged rollout), alert above 1% | 0.000 % (0 of 120) |", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadTest_OptionsOutOfBounds_ExitTwoNamingEach()
    {
        var result = await CliProcess.TaskFlowAsync(["mcp", "loadtest", "--servers", "0", "--duration", "100000", "--tps", "0"], null, AppContext.BaseDirectory);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--servers 0: use 1 to 5000; --duration 100000: use 1 to 86400 seconds; --tps 0: use 1 to 100000 calls per second", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }
}
