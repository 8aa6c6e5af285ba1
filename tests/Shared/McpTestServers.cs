using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace TaskFlow.Testing;

/// <summary>How to start an MCP server over stdio: what a stdio client transport needs.</summary>
/// <param name="Command">The program to run (<c>node</c>).</param>
/// <param name="Arguments">Its arguments, the server's entry file first.</param>
/// <param name="Environment">Variables the server needs, set on top of the inherited environment.</param>
/// <param name="WorkingDirectory">The folder to start it in (the server's package folder).</param>
public sealed record StdioLaunch(string Command, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory);

/// <summary>
/// Real MCP servers from npm for tests, shared by the test projects (linked into each).
/// scripts/install-mcp-servers.sh installs them at pinned versions into the folder named by
/// TASKFLOW_MCP_SERVERS (scripts/test.sh sets it), or else tests/.mcp-servers of this checkout.
/// A missing server fails the test rather than skipping it: CI installs them, so a skip would
/// only hide a broken setup.
/// </summary>
internal static class McpTestServers
{
    public const string MemoryPackage = "@modelcontextprotocol/server-memory";
    public const string FilesystemPackage = "@modelcontextprotocol/server-filesystem";
    public const string EverythingPackage = "@modelcontextprotocol/server-everything";
    public const string CommandsPackage = "mcp-server-commands";
    public const string ClaudeFlowPackage = "claude-flow";
    public const string MemoryBankPackage = "@allpepper/memory-bank-mcp";

    private const string InstallHint = "Run scripts/install-mcp-servers.sh (scripts/test.sh does), or set TASKFLOW_MCP_SERVERS to the folder it installed into.";

    private static readonly Lazy<string> LazyFolder = new(FindFolder);

    /// <summary>The folder the servers are installed in (its node_modules holds them).</summary>
    public static string Folder => LazyFolder.Value;

    /// <summary>The knowledge-graph server; it keeps its graph in <paramref name="dataFile"/> (JSON lines).</summary>
    public static StdioLaunch Memory(string dataFile) =>
        Node(MemoryPackage, [], new Dictionary<string, string> { ["MEMORY_FILE_PATH"] = Path.GetFullPath(dataFile) });

    /// <summary>memory-bank-mcp (the reference report's memory-bank server): projects of markdown files under <paramref name="root"/>.</summary>
    public static StdioLaunch MemoryBank(string root) =>
        Node(MemoryBankPackage, [], new Dictionary<string, string> { ["MEMORY_BANK_ROOT"] = Path.GetFullPath(root) });

    /// <summary>The filesystem server, allowed to read and write under <paramref name="root"/> only.</summary>
    public static StdioLaunch Filesystem(string root) => Node(FilesystemPackage, [Path.GetFullPath(root)]);

    /// <summary>The reference server that exercises every protocol feature, over stdio.</summary>
    public static StdioLaunch Everything() => Node(EverythingPackage, ["stdio"]);

    /// <summary>A server that runs shell commands; it speaks protocol revision 2024-11-05.</summary>
    public static StdioLaunch Commands() => Node(CommandsPackage, []);

    /// <summary>claude-flow's command line (<c>node .../bin/cli.js</c>) followed by <paramref name="arguments"/>: <c>mcp start</c> serves its MCP tools (protocol 2024-11-05).</summary>
    public static StdioLaunch ClaudeFlow(params string[] arguments) => Node(ClaudeFlowPackage, arguments);

    /// <summary>Adds a server to configuration as a user would write it: <c>TaskFlow:Mcp:Servers:NAME:Command</c>, arguments, environment, folder.</summary>
    public static void Configure(IDictionary<string, string?> settings, string name, StdioLaunch launch)
    {
        var prefix = $"TaskFlow:Mcp:Servers:{name}:";
        settings[prefix + "Command"] = launch.Command;
        settings[prefix + "WorkingDirectory"] = launch.WorkingDirectory;
        for (var i = 0; i < launch.Arguments.Count; i++)
        {
            settings[$"{prefix}Arguments:{i}"] = launch.Arguments[i];
        }

        foreach (var (key, value) in launch.Environment)
        {
            settings[$"{prefix}Environment:{key}"] = value;
        }
    }

    /// <summary>
    /// Starts the everything server in Streamable HTTP mode on a free port and returns once it
    /// accepts connections. Disposing the handle kills the server's process tree.
    /// </summary>
    public static async Task<McpHttpServerHandle> StartEverythingHttpAsync(CancellationToken cancellationToken = default)
    {
        var launch = Node(EverythingPackage, ["streamableHttp"]);

        // The port is chosen here and handed over through PORT, so another process can take it
        // in between: the server then exits with EADDRINUSE and a new port is tried.
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var handle = McpHttpServerHandle.Start(launch, port);
            try
            {
                await handle.WaitUntilListeningAsync(TimeSpan.FromSeconds(30), cancellationToken);
                return handle;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && attempt < attempts && handle.PortWasTaken)
            {
                await handle.DisposeAsync();
            }
            catch
            {
                await handle.DisposeAsync();
                throw;
            }
        }
    }

    private static StdioLaunch Node(string package, string[] arguments, Dictionary<string, string>? environment = null)
    {
        var packageFolder = Path.Combine(Folder, "node_modules", package);
        var entry = BinEntry(package, packageFolder);
        return new StdioLaunch("node", [entry, .. arguments], environment ?? [], packageFolder);
    }

    // The package's own "bin" entry, run with node directly: no npx, so nothing is looked up
    // or downloaded when a test starts a server, and no extra shell process sits in between.
    private static string BinEntry(string package, string packageFolder)
    {
        var manifest = Path.Combine(packageFolder, "package.json");
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException($"The MCP test server {package} is not installed in {Folder} ({manifest} is missing). {InstallHint}");
        }

        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        var relative = json.RootElement.TryGetProperty("bin", out var bin)
            ? bin.ValueKind switch
            {
                JsonValueKind.String => bin.GetString(),
                JsonValueKind.Object => PickCommand(bin, package),
                _ => null,
            }
            : null;

        if (string.IsNullOrEmpty(relative))
        {
            throw new InvalidOperationException($"{manifest} names no single \"bin\" entry to start the MCP test server {package} with.");
        }

        var entry = Path.GetFullPath(Path.Combine(packageFolder, relative));
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException($"The entry file {entry} of the MCP test server {package} is missing: the install in {Folder} is incomplete. {InstallHint}");
        }

        return entry;
    }

    // Several commands: the one named after the package, else the only one.
    private static string? PickCommand(JsonElement bin, string package)
    {
        var commands = bin.EnumerateObject().Where(c => c.Value.ValueKind == JsonValueKind.String).ToList();
        var unscoped = package[(package.LastIndexOf('/') + 1)..];
        var chosen = commands.Where(c => c.Name == unscoped).Concat(commands.Count == 1 ? commands : []).ToList();
        return chosen.Count > 0 ? chosen[0].Value.GetString() : null;
    }

    private static string FindFolder()
    {
        var configured = Environment.GetEnvironmentVariable("TASKFLOW_MCP_SERVERS");
        if (!string.IsNullOrEmpty(configured))
        {
            return RequireInstalled(Path.GetFullPath(configured), "TASKFLOW_MCP_SERVERS");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln")))
            {
                return RequireInstalled(Path.Combine(dir.FullName, "tests", ".mcp-servers"), "the default folder");
            }
        }

        throw new InvalidOperationException($"TASKFLOW_MCP_SERVERS is not set and no TaskFlow.sln was found above {AppContext.BaseDirectory} to find tests/.mcp-servers from. {InstallHint}");
    }

    private static string RequireInstalled(string folder, string source)
    {
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            throw new InvalidOperationException($"The MCP test servers are not installed in {folder} ({source}). {InstallHint}");
        }

        return folder;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A running MCP server reached over Streamable HTTP at <see cref="Endpoint"/>. Disposing it
/// kills the server's process tree.
/// </summary>
internal sealed class McpHttpServerHandle : IAsyncDisposable
{
    private const int KeptOutputLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private McpHttpServerHandle(Process process, int port)
    {
        _process = process;
        Endpoint = new Uri($"http://127.0.0.1:{port}/mcp");
    }

    /// <summary>The Streamable HTTP endpoint, on 127.0.0.1.</summary>
    public Uri Endpoint { get; }

    /// <summary>The server process's id, to check that disposing really ended it.</summary>
    public int ProcessId => _process.Id;

    internal bool PortWasTaken => Output.Contains("EADDRINUSE", StringComparison.Ordinal) || Output.Contains("already in use", StringComparison.Ordinal);

    private string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    internal static McpHttpServerHandle Start(StdioLaunch launch, int port)
    {
        var start = new ProcessStartInfo(launch.Command)
        {
            WorkingDirectory = launch.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in launch.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in launch.Environment)
        {
            start.Environment[name] = value;
        }

        // The everything server reads only PORT; it has no setting for the address and listens
        // on all interfaces. Clients here use 127.0.0.1.
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var process = new Process { StartInfo = start };
        var handle = new McpHttpServerHandle(process, port);

        // The server logs every request on stdout: both pipes must be drained or it blocks once
        // a pipe buffer is full. The last lines are kept for error messages.
        process.OutputDataReceived += (_, e) => handle.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => handle.Keep(e.Data);
        try
        {
            process.Start();
        }
        catch (Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start '{launch.Command}' for the MCP test server (is Node.js installed and on PATH?): {ex.Message}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return handle;
    }

    internal async Task WaitUntilListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken); // flushes the output handlers
                throw new InvalidOperationException($"The MCP test server for {Endpoint} exited with code {_process.ExitCode} before it accepted connections. Its output:{Environment.NewLine}{Output}");
            }

            using (var client = new TcpClient(AddressFamily.InterNetwork))
            {
                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, Endpoint.Port, cancellationToken);
                    return;
                }
                catch (SocketException)
                {
                    // Not listening yet.
                }
            }

            if (waited.Elapsed >= timeout)
            {
                throw new TimeoutException($"The MCP test server for {Endpoint} did not accept connections within {timeout.TotalSeconds:0}s. Its output:{Environment.NewLine}{Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // The process ended between the check and the kill.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > KeptOutputLines)
            {
                _output.Dequeue();
            }
        }
    }
}
