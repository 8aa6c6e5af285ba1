using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;

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

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("TASKFLOW_TEST_POSTGRES")
        ?? throw new InvalidOperationException("TASKFLOW_TEST_POSTGRES is not set. Run the tests with scripts/test.sh, which starts PostgreSQL, or point it at a PostgreSQL 15 server you own.");

    /// <param name="database">An existing database (connection string or SQLite folder) to use and leave in place; a fresh one when null.</param>
    public static async Task<TestEngine> StartAsync(string provider, Action<TaskFlowEngineOptions>? configure = null, Action<TaskFlowEngineBuilder>? activities = null, string? database = null)
    {
        var (connection, cleanup) = database is not null ? (database, () => Task.CompletedTask)
            : provider == Postgres ? await CreateDatabaseAsync() : CreateFolder();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
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

    public static async Task<(string Connection, Func<Task> Drop)> CreateDatabaseAsync()
    {
        var name = "tf_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(PostgresServer))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
        return (connection, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresServer);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        });
    }

    /// <summary>A fresh database for <paramref name="provider"/> and how to delete it.</summary>
    public static Task<(string Connection, Func<Task> Drop)> CreateAsync(string provider) =>
        provider == Postgres ? CreateDatabaseAsync() : Task.FromResult(CreateFolder());

    private static (string, Func<Task>) CreateFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "taskflow-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return (folder, () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        });
    }

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
