using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Engine.Runtime;
using TaskFlow.Server.Hosting;

namespace TaskFlow.Bench.HttpTriggers;

/// <summary>The TaskFlow server in this process on Kestrel (127.0.0.1, a free port), serving one http-triggered workflow.</summary>
internal sealed class WorkflowSide : IAsyncDisposable
{
    //  POST /workflows/bench/orders ──> a ──> b ──> c ──> answer(http.respond 200)
    private const string Definition = """
        { "id": "bench-http",
          "triggers": [ { "type": "http", "path": "bench/orders", "auth": "none" } ],
          "nodes": [
            { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" },
            { "id": "answer", "type": "http.respond", "inputs": { "body": { "order": "{{ input.body.order }}" } } } ],
          "edges": [ { "from": "a", "to": "b" }, { "from": "b", "to": "c" }, { "from": "c", "to": "answer" } ] }
        """;

    private readonly WebApplication _app;
    private readonly Func<Task> _cleanup;

    private WorkflowSide(WebApplication app, HttpClient client, Func<Task> cleanup)
    {
        _app = app;
        Client = client;
        _cleanup = cleanup;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public string Path => "/workflows/bench/orders";

    public static async Task<WorkflowSide> StartAsync(string provider, string? postgres, string folder)
    {
        var database = provider == "postgres" ? await BenchDatabase.CreateAsync(postgres!) : null;
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["TaskFlow:Engine:DataDirectory"] = System.IO.Path.Combine(folder, "workflow");
        builder.Configuration["TaskFlow:Engine:PostgresConnectionString"] = database;
        builder.Configuration["TaskFlow:Server:ApiKeys:0"] = "bench-key-0123456789abcdef";
        builder.Configuration["TaskFlow:Jobs:Enabled"] = "false";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.AddTaskFlowServer();
        var app = builder.Build();
        app.MapTaskFlowServer();
        await app.StartAsync();
        await app.Services.GetRequiredService<WorkflowRuntime>().SaveDefinitionAsync(Definition);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Add("X-Api-Key", "bench-key-0123456789abcdef");
        return new WorkflowSide(app, client, async () =>
        {
            if (database is not null)
            {
                await BenchDatabase.DropAsync(postgres!, database);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _cleanup();
    }
}
