using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using TaskFlow.Engine.Instances;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Instances;

// The text search of instance listings (q): a substring of the stored input, served on
// PostgreSQL by the pg_trgm GIN index the migrations create.
//
//   wait (event go)      each instance stays running, so none finishes during the test
public sealed class InstanceTextSearchTests
{
    private const string Waits = """{ "id": "waits", "nodes": [ { "id": "wait", "type": "event", "inputs": { "name": "go" } } ], "edges": [] }""";

    [Fact]
    public async Task Search_OnManyRows_PostgresPlanUsesTheTrigramIndexAndFindsTheOneRow()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Postgres, o => o.RunWorkers = false);
        await engine.Runtime.SaveDefinitionAsync(Waits);
        var template = await engine.Runtime.StartAsync("waits", new JsonObject { ["order"] = "template" });
        await using (var connection = new NpgsqlConnection(engine.Connection))
        {
            await connection.OpenAsync();
            // 20,000 copies of the started row, each with an input of its own.
            await using var insert = new NpgsqlCommand("""
                INSERT INTO tf_instances (id, active_nodes, created_at, definition_id, definition_version, depth, input, parent_attempt, status, updated_at, variables)
                SELECT 'copy-' || g, 0, created_at + g, definition_id, definition_version, 0, '{"order":"' || md5(g::text) || '"}', 0, status, updated_at, variables
                FROM tf_instances, generate_series(1, 20000) g WHERE id = @id
                """, connection);
            insert.Parameters.AddWithValue("id", template);
            await insert.ExecuteNonQueryAsync();
            // What autovacuum does in time: statistics, and the GIN pending list merged into the index.
            await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE tf_instances", connection);
            await vacuum.ExecuteNonQueryAsync();
            await using var index = new NpgsqlCommand("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_tf_instances_input_trgm'", connection);
            Assert.Contains("gin (input gin_trgm_ops)", (string?)await index.ExecuteScalarAsync());
        }

        // md5('12345') = 827ccb0eea8a706c4c34a16891f84e7b: a fragment no other copy has.
        var filter = new InstanceFilter { Text = "0eea8a706c4c" };
        await using (var db = engine.Services.GetRequiredService<TaskFlowDbContextFactory>().Create())
        {
            await using var command = filter.Apply(db.Instances.AsNoTracking(), postgres: true).Select(i => i.Id).CreateDbCommand();
            command.CommandText = "EXPLAIN " + command.CommandText;
            await db.Database.OpenConnectionAsync();
            var plan = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }

            Assert.Contains(plan, line => line.Contains("ix_tf_instances_input_trgm", StringComparison.Ordinal));
        }

        var (items, _) = await engine.Runtime.ListInstancesAsync(filter, after: null, skip: 0, take: 10);
        Assert.Equal("copy-12345", Assert.Single(items).Id);
    }

    // A role that may not create extensions (no CREATE on its database): the migrations still
    // succeed, without the index, the server says so in its log, and the search still works.
    [Fact]
    public async Task Migrate_WithoutRightToCreatePgTrgm_SucceedsWithoutTheIndexAndWarns()
    {
        var database = $"tf_noext_{Guid.NewGuid():N}";
        var role = $"tf_noext_{Guid.NewGuid():N}";
        var admin = new NpgsqlConnectionStringBuilder(TestEngine.PostgresServer);
        await ExecuteAsync(admin.ConnectionString, $"CREATE ROLE {role} LOGIN PASSWORD '{role}'", $"CREATE DATABASE {database} OWNER {role}", $"REVOKE CREATE ON DATABASE {database} FROM PUBLIC, {role}");
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = database, Username = role, Password = role, Pooling = false }.ConnectionString;
            var logs = new Captured();
            await using (var engine = await TestEngine.StartAsync(TestEngine.Postgres, o => o.RunWorkers = false, database: connection, logging: l => l.AddProvider(logs)))
            {
                await engine.Runtime.SaveDefinitionAsync(Waits);
                var found = await engine.Runtime.StartAsync("waits", new JsonObject { ["order"] = "no index" });
                Assert.Equal([found], await IdsAsync(engine, "no index"));
                await using var probe = new NpgsqlConnection(connection);
                await probe.OpenAsync();
                await using var index = new NpgsqlCommand("SELECT to_regclass('ix_tf_instances_input_trgm') IS NULL", probe);
                Assert.Equal(true, await index.ExecuteScalarAsync());
            }

            Assert.Contains(logs.Warnings, m => m.Contains("pg_trgm", StringComparison.Ordinal) && m.Contains("ix_tf_instances_input_trgm", StringComparison.Ordinal));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin.ConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", $"DROP ROLE IF EXISTS {role}");
        }
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Search_WildcardCharacters_MatchOnlyThemselvesAndCaseCounts(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, o => o.RunWorkers = false);
        await engine.Runtime.SaveDefinitionAsync(Waits);
        var literal = await engine.Runtime.StartAsync("waits", new JsonObject { ["code"] = "50%_off a\\b" });
        await engine.Runtime.StartAsync("waits", new JsonObject { ["code"] = "50xxoff aXb" });
        await engine.Runtime.StartAsync("waits", new JsonObject { ["code"] = "50%_OFF" });

        Assert.Equal([literal], await IdsAsync(engine, "50%_off"));
        Assert.Equal(2, (await IdsAsync(engine, "50%_")).Count);
        Assert.Equal([literal], await IdsAsync(engine, "a\\\\b"));
        Assert.Empty(await IdsAsync(engine, "50__off"));
    }

    private static async Task<IReadOnlyList<string>> IdsAsync(TestEngine engine, string text) =>
        (await engine.Runtime.ListInstancesAsync(new InstanceFilter { Text = text }, after: null, skip: 0, take: 100)).Items.Select(i => i.Id).ToArray();

    private static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private sealed class Captured : ILoggerProvider
    {
        public ConcurrentQueue<string> Warnings { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(Captured owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    owner.Warnings.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
