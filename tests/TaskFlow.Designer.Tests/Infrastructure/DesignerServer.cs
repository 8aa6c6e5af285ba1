using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TaskFlow.Designer.Tests.Infrastructure;

/// <summary>
/// The real server on real Kestrel at 127.0.0.1 on a free port (a browser cannot reach the test
/// server of <see cref="WebApplicationFactory{Program}"/>), with SQLite in a fresh folder that is
/// deleted when it stops.
/// </summary>
public sealed class DesignerServer : IAsyncDisposable
{
    public const string Key = "designer-test-key-0123456789abcdef";

    private readonly WebApplicationFactory<Program> _factory;
    private readonly string _dataDirectory;

    private DesignerServer(WebApplicationFactory<Program> factory, string dataDirectory, Uri address)
    {
        _factory = factory;
        _dataDirectory = dataDirectory;
        Address = address;
        Client = new HttpClient { BaseAddress = address };
        Client.DefaultRequestHeaders.Add("X-Api-Key", Key);
    }

    public Uri Address { get; }

    /// <summary>The URL the server prints at start: the designer with the key in the query.</summary>
    public string DesignerUrl => DesignerUrlFor(Key);

    /// <summary>The designer opened with another key (one of a narrower role).</summary>
    public string DesignerUrlFor(string key) => new Uri(Address, $"/?key={Uri.EscapeDataString(key)}").ToString();

    /// <summary>Sends the key on every request.</summary>
    public HttpClient Client { get; }

    /// <param name="extra">Settings on top of the defaults (an MCP fleet, more keys); a null value removes a default.</param>
    public static DesignerServer Start(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("taskflow-designer-test-").FullName;
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = address.ToString().TrimEnd('/'),
            ["TaskFlow:Engine:Provider"] = "Sqlite",
            ["TaskFlow:Engine:DataDirectory"] = dataDirectory,
            ["TaskFlow:Server:ApiKeys:0"] = Key,
            ["TaskFlow:Workspaces:WarmPoolSize"] = "0",
            ["TaskFlow:Workspaces:DefaultIsolation"] = "Process",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        factory.UseKestrel();
        try
        {
            factory.StartServer();
        }
        catch
        {
            factory.Dispose();
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }

        return new DesignerServer(factory, dataDirectory, address);
    }

    /// <summary>The stored latest version of a definition, or null when there is none.</summary>
    public async Task<JsonNode?> FindDefinitionAsync(string id)
    {
        using var response = await Client.GetAsync($"/api/definitions/{Uri.EscapeDataString(id)}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonNode> GetAsync(string path) =>
        await Client.GetFromJsonAsync<JsonNode>(path) ?? throw new InvalidOperationException($"GET {path} returned null.");

    public async Task<JsonNode> PostAsync(string path, string json)
    {
        using var response = await Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
