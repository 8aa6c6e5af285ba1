using Microsoft.Extensions.Logging;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Infrastructure;

/// <summary>
/// The real server for one test through <see cref="WebApplicationFactory{Program}"/>: SQLite in a
/// fresh folder, or PostgreSQL in a fresh database on the server named by TASKFLOW_TEST_POSTGRES.
/// Its settings come from configuration, as an operator's would. Disposing stops the server and
/// deletes the folder or database.
/// </summary>
public sealed class TaskFlowApp : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>The configured key every <see cref="Client"/> request carries.</summary>
    public const string Key = "test-key-0123456789abcdef0123456789";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly WebApplicationFactory<Program> _factory;
    private readonly Func<Task> _cleanup;

    private TaskFlowApp(WebApplicationFactory<Program> factory, Func<Task> cleanup, string connection, string dataDirectory)
    {
        _factory = factory;
        _cleanup = cleanup;
        Connection = connection;
        DataDirectory = dataDirectory;
        if (factory.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)) is Microsoft.AspNetCore.Hosting.Server.IServer server
            && server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } address
            && address.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
        {
            // Kestrel: the clients go over real HTTP to the port it took.
            factory.ClientOptions.BaseAddress = new Uri(address);
        }

        Client = factory.CreateClient();
        Client.DefaultRequestHeaders.Add("X-Api-Key", Key);
    }

    public static TheoryData<string> Providers => new() { Sqlite, Postgres };

    /// <summary>Sends the configured key on every request.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _factory.Services;

    public string Connection { get; }

    /// <summary>The data folder (SQLite database and generated API key).</summary>
    public string DataDirectory { get; }

    /// <summary>A client that sends no key.</summary>
    public HttpClient CreateAnonymousClient() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = _factory.ClientOptions.BaseAddress });

    /// <param name="settings">Extra configuration; a null value removes a default.</param>
    /// <param name="configureKey">False to start without configured keys, as the embedded default does.</param>
    /// <param name="kestrel">True to serve over real HTTP (Kestrel on 127.0.0.1, a free port) instead of the in-memory test server.</param>
    public static async Task<TaskFlowApp> StartAsync(string provider, IReadOnlyDictionary<string, string?>? settings = null, bool configureKey = true, bool kestrel = false, CapturedLogs? logs = null)
    {
        var (connection, cleanup) = provider == Postgres ? await CreateDatabaseAsync() : CreateFolder();
        var dataDirectory = provider == Postgres ? CreateFolder().Folder : connection;
        var all = new Dictionary<string, string?>
        {
            ["TaskFlow:Engine:Provider"] = provider == Postgres ? "Postgres" : "Sqlite",
            ["TaskFlow:Engine:DataDirectory"] = dataDirectory,
            ["TaskFlow:Engine:PostgresConnectionString"] = provider == Postgres ? connection : null,
            ["TaskFlow:Engine:LeaseDuration"] = "00:00:10",
            ["TaskFlow:Server:ApiKeys:0"] = configureKey ? Key : null,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in all.Where(s => s.Value is not null))
            {
                builder.UseSetting(key, value);
            }

            if (logs is not null)
            {
                // Every level of every category, whatever the configuration filters for the others.
                builder.ConfigureLogging(l => l.AddProvider(logs).AddFilter<CapturedLogs>((_, _) => true));
            }
        });
        Func<Task> cleanupAll = async () =>
        {
            await cleanup();
            if (provider == Postgres)
            {
                // A workspace the server was still cleaning up may vanish while the folder is deleted.
                TestDatabases.DeleteFolder(dataDirectory);
            }
        };

        if (kestrel)
        {
            factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        }

        // Start now, so a broken configuration fails here and not in the first request.
        try
        {
            if (kestrel)
            {
                factory.StartServer();
            }

            _ = factory.Services;
        }
        catch
        {
            try
            {
                await factory.DisposeAsync();
            }
            finally
            {
                await cleanupAll();
            }

            throw;
        }

        var app = new TaskFlowApp(factory, cleanupAll, connection, dataDirectory);
        return app;
    }

    public static HttpContent JsonBody(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    public async Task<JsonNode> SaveAsync(string json)
    {
        using var response = await Client.PostAsync("/api/definitions", JsonBody(json));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!;
    }

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync()) ?? throw new InvalidOperationException("Empty body.");

    /// <summary>Polls <paramref name="path"/> (a JSON array) until it holds exactly one item, at most 10 s; <paramref name="what"/> names it in the failure.</summary>
    public async Task<JsonNode> SingleAsync(string path, string what)
    {
        for (var i = 0; i < 400; i++)
        {
            var items = await GetAsync<JsonArray>(path);
            if (items.Count == 1)
            {
                return items[0]!;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"{what} after 10 s.");
    }

    /// <summary>Polls the instance until it is no longer running, at most 10 s.</summary>
    public async Task<JsonObject> FinishedAsync(string instanceId)
    {
        for (var i = 0; i < 400; i++)
        {
            var view = await GetAsync<JsonObject>($"/api/instances/{instanceId}");
            if ((string?)view["status"] != "Running")
            {
                return view;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"Instance {instanceId} still running after 10 s.");
    }

    public async Task<T> GetAsync<T>(string path) =>
        await Client.GetFromJsonAsync<T>(path, Json) ?? throw new InvalidOperationException($"GET {path} returned null.");

    public static string PostgresServer => TestDatabases.PostgresServer;

    private static Task<(string Connection, Func<Task> Drop)> CreateDatabaseAsync() => TestDatabases.CreatePostgresAsync();

    private static (string Folder, Func<Task> Delete) CreateFolder() => TestDatabases.CreateFolder("taskflow-server-test-");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await _factory.DisposeAsync();
        }
        finally
        {
            await _cleanup();
        }
    }
}
