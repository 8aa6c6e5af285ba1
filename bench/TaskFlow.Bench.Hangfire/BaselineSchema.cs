using Npgsql;

namespace TaskFlow.Bench.Hangfire;

/// <summary>
/// The PostgreSQL schema the baseline owns. Dropping it before each run keeps runs from
/// seeing each other's jobs, counters and servers; Hangfire.PostgreSql re-creates it.
/// </summary>
internal static class BaselineSchema
{
    /// <summary>A schema of its own, so the baseline never touches another Hangfire install.</summary>
    public const string Name = "hangfire_bench";

    public static async Task DropAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""DROP SCHEMA IF EXISTS "{Name}" CASCADE""", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
