using Microsoft.Data.Sqlite;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Persistence;

// The SQLite store copies its write-ahead log into the database file from a thread of its own,
// shortly after commits, instead of inside the commit that crosses the log's size limit
// (10,000 pages, far more than this test writes).
public sealed class SqliteCheckpointTests
{
    [Fact]
    public async Task FinishedInstance_ReachesTheDatabaseFileWithoutTheLog()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);
        var steps = Enumerable.Range(0, 20).Select(i => $$"""{ "id": "s{{i}}", "type": "noop" }""");
        var edges = Enumerable.Range(1, 19).Select(i => $$"""{ "from": "s{{i - 1}}", "to": "s{{i}}" }""");
        await engine.Runtime.SaveDefinitionAsync($$"""{ "id": "checkpointed", "nodes": [ {{string.Join(", ", steps)}} ], "edges": [ {{string.Join(", ", edges)}} ] }""");
        var id = await engine.Runtime.StartAsync("checkpointed");
        var view = await engine.Runtime.WaitAsync(id, TimeSpan.FromSeconds(60));
        Assert.NotNull(view);
        view.AssertSucceeded();

        // A copy of the database file alone, without the log beside it, holds only what a
        // checkpoint copied. The checkpoint runs about 20 ms after the last commit.
        var database = Path.Combine(engine.Connection, "taskflow.db");
        var copy = Path.Combine(engine.Connection, "copy");
        Directory.CreateDirectory(copy);
        string? status = null;
        for (var attempt = 0; attempt < 100 && status != "Succeeded"; attempt++)
        {
            await Task.Delay(100);
            status = StatusInCopy(database, Path.Combine(copy, $"{attempt}.db"), id);
        }

        Assert.Equal("Succeeded", status);
    }

    private static string? StatusInCopy(string database, string copy, string id)
    {
        try
        {
            File.Copy(database, copy);
            using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT status FROM tf_instances WHERE id = @id";
            command.Parameters.AddWithValue("id", id);
            return command.ExecuteScalar() is long status ? ((InstanceStatus)status).ToString() : null;
        }
        catch (SqliteException)
        {
            // Copied in the middle of a checkpoint, or before the first one made the tables.
            return null;
        }
    }
}
