using System.Text.Json;
using ModelContextProtocol.Client;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// How each server of the fleet starts: node on the package's <c>bin</c> file (no npx), or
/// <c>dotnet taskflow.dll</c> (src/TaskFlow.Server) for TaskFlow's own, in a scratch folder that is also its HOME,
/// so nothing a server writes lands in the user's home or the repository.
/// </summary>
internal sealed class FleetLaunch
{
    private readonly string _serversFolder;
    private readonly string _taskFlowServer;

    public FleetLaunch(string serversFolder, string taskFlowServer, string runFolder)
    {
        _serversFolder = serversFolder;
        _taskFlowServer = taskFlowServer;
        RunFolder = runFolder;
    }

    public string RunFolder { get; }

    /// <summary>Finds the installed fleet and the built TaskFlow server; creates the run's scratch folder.</summary>
    /// <exception cref="InvalidOperationException">A package is missing or TaskFlow.Server is not built, with what to run.</exception>
    public static FleetLaunch Create(string serversFolder, string taskFlowServer)
    {
        var missing = FleetCatalog.Servers.Where(s => s.Package is not null && !File.Exists(Path.Combine(serversFolder, "node_modules", s.Package, "package.json"))).Select(s => s.Package!).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"Not installed in {serversFolder}: {string.Join(", ", missing)}. Run bench/TaskFlow.Bench.Fleet/install-fleet.sh first.");
        }

        if (!File.Exists(taskFlowServer))
        {
            throw new InvalidOperationException($"{taskFlowServer} is missing: build the solution (dotnet build TaskFlow.sln -c Release) or pass --taskflow-server.");
        }

        var run = Path.Combine(Path.GetTempPath(), $"taskflow-fleet-{System.Environment.ProcessId}");
        foreach (var folder in new[] { "", "home", "files", "memory-bank", "workspaces" })
        {
            Directory.CreateDirectory(Path.Combine(run, folder));
        }

        return new FleetLaunch(serversFolder, taskFlowServer, run);
    }

    /// <summary>Removes the scratch folder once every server has exited; what cannot be removed is said, not thrown.</summary>
    public void DeleteRunFolder()
    {
        try
        {
            Directory.Delete(RunFolder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: the run folder {RunFolder} was not removed: {ex.Message}");
        }
    }

    public string Version(FleetServer server) => server.Package is null
        ? "TaskFlow"
        : ReadManifest(server.Package).RootElement.GetProperty("version").GetString() ?? "?";

    /// <summary>The server as a user would configure it in <c>TaskFlow:Mcp:Servers</c>.</summary>
    public UpstreamServerOptions RouterOptions(FleetServer server)
    {
        var (command, arguments) = CommandLine(server);
        return new UpstreamServerOptions
        {
            Transport = "stdio",
            Command = command,
            Arguments = [.. arguments],
            WorkingDirectory = RunFolder,
            Environment = EnvironmentOf(server),
            Tier = server.Tier,
        };
    }

    /// <summary>The same server for a plain SDK client.</summary>
    public StdioClientTransport DirectTransport(FleetServer server)
    {
        var (command, arguments) = CommandLine(server);
        return new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = server.Name,
            Command = command,
            Arguments = [.. arguments],
            WorkingDirectory = RunFolder,
            EnvironmentVariables = EnvironmentOf(server).ToDictionary(p => p.Key, p => (string?)p.Value),
        });
    }

    /// <summary>The text each server's process command line contains, to find it among this process's children.</summary>
    public string ProcessMarker(FleetServer server) => string.Join(' ', CommandLine(server).Arguments);

    private (string Command, IReadOnlyList<string> Arguments) CommandLine(FleetServer server)
    {
        var arguments = server.Arguments.Select(Expand);
        return server.Package is null
            ? ("dotnet", [_taskFlowServer, .. arguments])
            : ("node", [Entry(server.Package), .. arguments]);
    }

    private Dictionary<string, string> EnvironmentOf(FleetServer server)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["HOME"] = Path.Combine(RunFolder, "home") };
        foreach (var (key, value) in server.Environment ?? new Dictionary<string, string>())
        {
            environment[key] = Expand(value);
        }

        return environment;
    }

    private string Expand(string value) => value.Replace("{run}", RunFolder, StringComparison.Ordinal);

    private string Entry(string package)
    {
        using var manifest = ReadManifest(package);
        var bin = manifest.RootElement.GetProperty("bin");
        var relative = bin.ValueKind == JsonValueKind.String ? bin.GetString() : bin.EnumerateObject().First().Value.GetString();
        return Path.GetFullPath(Path.Combine(_serversFolder, "node_modules", package, relative!));
    }

    private JsonDocument ReadManifest(string package) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(_serversFolder, "node_modules", package, "package.json")));
}
