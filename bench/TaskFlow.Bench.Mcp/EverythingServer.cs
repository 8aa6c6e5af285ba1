using System.Text.Json;
using ModelContextProtocol.Client;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Mcp;

/// <summary>
/// The upstream both sides call: <c>@modelcontextprotocol/server-everything</c>, run with node
/// directly (no npx), over stdio or in Streamable HTTP mode.
/// </summary>
internal sealed class EverythingServer
{
    public const string Package = "@modelcontextprotocol/server-everything";

    private EverythingServer(string packageFolder, string entry, string version)
    {
        PackageFolder = packageFolder;
        Entry = entry;
        Version = version;
    }

    public string PackageFolder { get; }

    /// <summary>The package's <c>bin</c> file.</summary>
    public string Entry { get; }

    public string Version { get; }

    public static EverythingServer Find(string serversFolder)
    {
        var folder = Path.Combine(serversFolder, "node_modules", Package);
        var manifest = Path.Combine(folder, "package.json");
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException($"{Package} is not installed in {serversFolder} ({manifest} is missing); run scripts/install-mcp-servers.sh.");
        }

        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        var bin = json.RootElement.GetProperty("bin");
        var relative = bin.ValueKind == JsonValueKind.String ? bin.GetString() : bin.EnumerateObject().First().Value.GetString();
        var entry = Path.GetFullPath(Path.Combine(folder, relative!));
        return File.Exists(entry)
            ? new EverythingServer(folder, entry, json.RootElement.GetProperty("version").GetString() ?? "?")
            : throw new InvalidOperationException($"The entry file {entry} of {Package} is missing: the install in {serversFolder} is incomplete.");
    }

    /// <summary>The server as the router is configured for it.</summary>
    /// <param name="endpoint">The Streamable HTTP endpoint; null for stdio.</param>
    public UpstreamServerOptions RouterOptions(Uri? endpoint) => endpoint is null
        ? new UpstreamServerOptions { Transport = "stdio", Command = "node", Arguments = [Entry, "stdio"], WorkingDirectory = PackageFolder }
        : new UpstreamServerOptions { Transport = "http", Url = endpoint.ToString() };

    /// <summary>A transport built as the router builds its own (see UpstreamServer.CreateTransport).</summary>
    public IClientTransport DirectTransport(Uri? endpoint) => endpoint is null
        ? new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "everything",
            Command = "node",
            Arguments = [Entry, "stdio"],
            WorkingDirectory = PackageFolder,
            ShutdownTimeout = TimeSpan.FromSeconds(2),
        })
        : new HttpClientTransport(new HttpClientTransportOptions
        {
            Name = "everything",
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
        });
}
