using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Router;

/// <summary>Builds routers over real servers for one test, and disposes them (stopping every server process).</summary>
internal sealed class RouterFixture : IAsyncDisposable
{
    private readonly List<McpRouter> _routers = [];

    private const string MarkerVariable = "TASKFLOW_TEST_MARKER";
    private const string ServerVariable = "TASKFLOW_TEST_SERVER";

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

    /// <param name="time">The router's clock; the system's unless a test moves time itself.</param>
    /// <param name="loggers">Where the router logs; nowhere unless a test reads its logs.</param>
    public McpRouter Create(Dictionary<string, UpstreamServerOptions> servers, string? rules = null, Action<McpRoutingOptions>? configure = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        foreach (var (name, server) in servers.Where(s => s.Value.Transport == "stdio"))
        {
            server.Environment[MarkerVariable] = Marker;
            server.Environment[ServerVariable] = name;
        }

        var options = new McpRoutingOptions { Servers = servers, Rules = rules, CallTimeout = TimeSpan.FromSeconds(20) };
        configure?.Invoke(options);
        var router = new McpRouter(Options.Create(options), new RoutingMetrics(), loggers ?? NullLoggerFactory.Instance, time ?? TimeProvider.System);
        _routers.Add(router);
        return router;
    }

    /// <summary>Processes still running with this fixture's marker in their environment.</summary>
    public int RunningProcesses() => ProcessIds().Count;

    /// <summary>
    /// The ids of the processes still running with this fixture's marker in their environment;
    /// with <paramref name="server"/>, only those started for that server.
    /// </summary>
    public IReadOnlyList<int> ProcessIds(string? server = null) =>
        server is null ? MarkedProcesses.Find($"{MarkerVariable}={Marker}") : MarkedProcesses.Find($"{MarkerVariable}={Marker}", $"{ServerVariable}={server}");

    /// <summary>Waits, at most <paramref name="within"/>, until no process with this fixture's marker runs; false if some still do.</summary>
    public async Task<bool> AllStoppedAsync(TimeSpan within)
    {
        var started = Stopwatch.GetTimestamp();
        while (RunningProcesses() > 0)
        {
            if (Stopwatch.GetElapsedTime(started) >= within)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var router in _routers)
        {
            await router.DisposeAsync();
        }
    }
}
