using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Server.Hosting;

namespace TaskFlow.Bench.Designer;

/// <summary>The real server in this process, on Kestrel at 127.0.0.1 on a free port, with SQLite in a temporary folder.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string Key = "bench-key-0123456789abcdef0123456789";

    private readonly WebApplication _app;
    private readonly string _data;
    private readonly HttpClient _client;

    private BenchServer(WebApplication app, string data, string url)
    {
        _app = app;
        _data = data;
        Url = url;
        _client = new HttpClient { BaseAddress = new Uri(url) };
        _client.DefaultRequestHeaders.Add("X-Api-Key", Key);
    }

    public string Url { get; }

    public static async Task<BenchServer> StartAsync()
    {
        var data = Directory.CreateTempSubdirectory("taskflow-bench-designer-").FullName;
        var url = $"http://127.0.0.1:{FreePort()}";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = url,
            ["TaskFlow:Engine:DataDirectory"] = data,
            ["TaskFlow:Server:ApiKeys:0"] = Key,
            ["TaskFlow:Workspaces:WarmPoolSize"] = "0",
            ["TaskFlow:Workspaces:DefaultIsolation"] = "Process",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddTaskFlowServer();
        var app = builder.Build();
        app.MapTaskFlowServer();
        await app.StartAsync();
        return new BenchServer(app, data, url);
    }

    public async Task SaveAsync(JsonObject definition)
    {
        using var saved = await _client.PostAsync("/api/definitions", new StringContent(definition.ToJsonString(), Encoding.UTF8, "application/json"));
        if (!saved.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Saving the workflow failed: {await saved.Content.ReadAsStringAsync()}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
