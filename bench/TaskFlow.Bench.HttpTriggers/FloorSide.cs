using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TaskFlow.Bench.HttpTriggers;

/// <summary>
/// The floor: a plain minimal-API endpoint that makes the writes of one four-node instance in one
/// transaction (an instance row, four node rows, four journal rows, the output on the instance)
/// and answers 200, with no queue, no workers and no templates.
/// </summary>
internal sealed class FloorSide : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<Task> _cleanup;

    private FloorSide(WebApplication app, HttpClient client, Func<Task> cleanup)
    {
        _app = app;
        Client = client;
        _cleanup = cleanup;
    }

    public HttpClient Client { get; }

    public string Path => "/floor";

    public static async Task<FloorSide> StartAsync(string provider, string? postgres, string folder)
    {
        var database = provider == "postgres" ? await BenchDatabase.CreateAsync(postgres!) : null;
        NpgsqlDataSource? source = database is null ? null : NpgsqlDataSource.Create(database);
        var sqlite = $"Data Source={System.IO.Path.Combine(folder, "floor.db")};Pooling=true";
        var gate = new SemaphoreSlim(1, 1); // SQLite: one writer at a time, as the engine's store does.

        async Task<DbConnection> OpenAsync()
        {
            if (source is not null)
            {
                return await source.OpenConnectionAsync();
            }

            var connection = new SqliteConnection(sqlite);
            await connection.OpenAsync();
            return connection;
        }

        await using (var setup = await OpenAsync())
        {
            var sql = provider == "postgres"
                ? "CREATE TABLE instances (id text PRIMARY KEY, input text, output text, created_at bigint); CREATE TABLE nodes (instance_id text, node_id text, status int, output text, PRIMARY KEY (instance_id, node_id)); CREATE TABLE journal (id bigserial PRIMARY KEY, instance_id text, node_id text, message text)"
                : "PRAGMA journal_mode=WAL; CREATE TABLE instances (id text PRIMARY KEY, input text, output text, created_at integer); CREATE TABLE nodes (instance_id text, node_id text, status int, output text, PRIMARY KEY (instance_id, node_id)); CREATE TABLE journal (id integer PRIMARY KEY AUTOINCREMENT, instance_id text, node_id text, message text)";
            await using var command = setup.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/floor", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var id = Guid.CreateVersion7().ToString();
            if (source is null)
            {
                await gate.WaitAsync();
            }

            try
            {
                await using var connection = await OpenAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await ExecuteAsync(connection, transaction, "INSERT INTO instances (id, input, created_at) VALUES (@a, @b, @c)", id, body, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                foreach (var node in new[] { "a", "b", "c", "answer" })
                {
                    await ExecuteAsync(connection, transaction, "INSERT INTO nodes (instance_id, node_id, status, output) VALUES (@a, @b, @c, @d)", id, node, 4, "{}");
                    await ExecuteAsync(connection, transaction, "INSERT INTO journal (instance_id, node_id, message) VALUES (@a, @b, @c)", id, node, "NodeSucceeded");
                }

                await ExecuteAsync(connection, transaction, "UPDATE instances SET output = @a WHERE id = @b", "{\"order\":17}", id);
                await transaction.CommitAsync();
            }
            finally
            {
                if (source is null)
                {
                    gate.Release();
                }
            }

            return Results.Text("{\"order\":17}", "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(address) };
        return new FloorSide(app, client, async () =>
        {
            if (source is not null)
            {
                await source.DisposeAsync();
                await BenchDatabase.DropAsync(postgres!, database!);
            }

            SqliteConnection.ClearAllPools();
        });
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, params object[] values)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + (char)('a' + i);
            parameter.Value = values[i];
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _cleanup();
    }
}
