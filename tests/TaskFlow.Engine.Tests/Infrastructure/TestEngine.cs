using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;
using TaskFlow.Testing;

namespace TaskFlow.Engine.Tests.Infrastructure;

/// <summary>
/// A real engine host for one test: SQLite in a fresh folder, or PostgreSQL in a fresh database
/// on the server named by TASKFLOW_TEST_POSTGRES (started by scripts/test.sh). Disposing stops
/// the host and deletes the folder or database.
/// </summary>
public sealed class TestEngine : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private readonly IHost _host;
    private readonly Func<Task> _cleanup;

    private TestEngine(IHost host, Func<Task> cleanup, string connection)
    {
        _host = host;
        _cleanup = cleanup;
        Connection = connection;
    }

    public static TheoryData<string> Providers => new() { Sqlite, Postgres };

    public WorkflowRuntime Runtime => _host.Services.GetRequiredService<WorkflowRuntime>();

    public IServiceProvider Services => _host.Services;

    /// <summary>The SQLite data folder or the PostgreSQL connection string of this engine's database.</summary>
    public string Connection { get; }

    public static string PostgresServer => TestDatabases.PostgresServer;

    /// <param name="database">An existing database (connection string or SQLite folder) to use and leave in place; a fresh one when null.</param>
    /// <param name="logging">Adds log providers (the console shows warnings and worse).</param>
    public static async Task<TestEngine> StartAsync(string provider, Action<TaskFlowEngineOptions>? configure = null, Action<TaskFlowEngineBuilder>? activities = null, string? database = null, Action<ILoggingBuilder>? logging = null)
    {
        var (connection, cleanup) = database is not null ? (database, () => Task.CompletedTask)
            : provider == Postgres ? await CreateDatabaseAsync() : CreateFolder();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        var engine = builder.Services.AddTaskFlowEngine(o =>
        {
            if (provider == Postgres)
            {
                o.PostgresConnectionString = connection;
            }
            else
            {
                o.DataDirectory = connection;
            }

            o.LeaseDuration = TimeSpan.FromSeconds(10);
            configure?.Invoke(o);
        });
        activities?.Invoke(engine);
        var host = builder.Build();
        await host.StartAsync();
        return new TestEngine(host, cleanup, connection);
    }

    public static Task<(string Connection, Func<Task> Drop)> CreateDatabaseAsync() => TestDatabases.CreatePostgresAsync();

    /// <summary>A fresh database for <paramref name="provider"/> and how to delete it.</summary>
    public static Task<(string Connection, Func<Task> Drop)> CreateAsync(string provider) =>
        provider == Postgres ? CreateDatabaseAsync() : Task.FromResult(CreateFolder());

    private static (string, Func<Task>) CreateFolder() => TestDatabases.CreateFolder();

    /// <summary>Saves a definition, starts it and waits for it to finish (at most a minute).</summary>
    public async Task<InstanceView> RunAsync(string definitionJson, JsonObject? input = null, TimeSpan? timeout = null)
    {
        var definition = await Runtime.SaveDefinitionAsync(definitionJson);
        var id = await Runtime.StartAsync(definition.Id, input);
        var view = await Runtime.WaitAsync(id, timeout ?? TimeSpan.FromMinutes(1));
        Assert.NotNull(view);
        Assert.True(view.Status != InstanceStatus.Running, $"Instance {id} still running after the timeout.");
        return view;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        if (_host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }

        await _cleanup();
    }
}
