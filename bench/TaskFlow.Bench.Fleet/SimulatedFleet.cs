using System.Diagnostics;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>The child process serving the simulated servers (see <see cref="SimulatedHost"/>), and each server's router entry.</summary>
internal sealed class SimulatedFleet : IAsyncDisposable
{
    private readonly Process _process;

    private SimulatedFleet(Process process, Uri baseAddress, int servers)
    {
        _process = process;
        BaseAddress = baseAddress;
        Servers = servers;
    }

    public Uri BaseAddress { get; }

    public int Servers { get; }

    public int ProcessId => _process.Id;

    public static async Task<SimulatedFleet> StartAsync(int servers, int tools, CancellationToken cancellationToken)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The bench's own executable is unknown.");
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SimulatedFleet).Assembly.Location);
        }

        foreach (var argument in new[] { SimulatedHost.Mode, "--servers", servers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tools", tools.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The simulated servers' process did not start.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(SimulatedHost.ListeningPrefix, StringComparison.Ordinal))
            {
                return new SimulatedFleet(process, new Uri(line[SimulatedHost.ListeningPrefix.Length..]), servers);
            }
        }

        process.Kill();
        throw new InvalidOperationException($"The simulated servers' process exited ({process.ExitCode}) before it listened.");
    }

    /// <summary>Every simulated server as a router entry: Streamable HTTP on loopback.</summary>
    public Dictionary<string, UpstreamServerOptions> RouterEntries() => TaskFlow.Server.Mcp.LoadTest.SimulatedMcpServers.RouterEntries(BaseAddress, Servers);

    public long Rss() => ProcessTree.TreeRss(_process.Id);

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
