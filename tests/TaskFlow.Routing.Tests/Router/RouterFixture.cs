using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Router;

/// <summary>Builds routers over real servers for one test, and disposes them (stopping every server process).</summary>
internal sealed class RouterFixture : IAsyncDisposable
{
    private readonly List<McpRouter> _routers = [];

    /// <summary>A marker in every started server's environment, to find its processes afterwards.</summary>
    public string Marker { get; } = "taskflow-router-test-" + Guid.NewGuid().ToString("N")[..12];

    public static UpstreamServerOptions Stdio(StdioLaunch launch, int tier = 3, int weight = 1) => new()
    {
        Transport = "stdio",
        Command = launch.Command,
        Arguments = [.. launch.Arguments],
        Environment = new Dictionary<string, string>(launch.Environment),
        WorkingDirectory = launch.WorkingDirectory,
        Tier = tier,
        Weight = weight,
    };

    public McpRouter Create(Dictionary<string, UpstreamServerOptions> servers, string? rules = null, Action<McpRoutingOptions>? configure = null)
    {
        foreach (var server in servers.Values.Where(s => s.Transport == "stdio"))
        {
            server.Environment["TASKFLOW_TEST_MARKER"] = Marker;
        }

        var options = new McpRoutingOptions { Servers = servers, Rules = rules, CallTimeout = TimeSpan.FromSeconds(20) };
        configure?.Invoke(options);
        var router = new McpRouter(Options.Create(options), new RoutingMetrics(), NullLoggerFactory.Instance, TimeProvider.System);
        _routers.Add(router);
        return router;
    }

    /// <summary>Processes still running with this fixture's marker in their environment.</summary>
    public int RunningProcesses()
    {
        var count = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains(Marker, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours.
            }
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var router in _routers)
        {
            await router.DisposeAsync();
        }
    }
}
