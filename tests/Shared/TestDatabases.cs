using Npgsql;

namespace TaskFlow.Testing;

/// <summary>
/// Throwaway databases for tests, shared by the test projects (linked into each): a fresh
/// PostgreSQL database on the server named by TASKFLOW_TEST_POSTGRES (scripts/test.sh starts
/// one), or a fresh folder for SQLite. Each comes with the function that deletes it.
/// </summary>
internal static class TestDatabases
{
    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("TASKFLOW_TEST_POSTGRES")
        ?? throw new InvalidOperationException("TASKFLOW_TEST_POSTGRES is not set. Run the tests with scripts/test.sh, which starts PostgreSQL, or point it at a PostgreSQL 15 server you own.");

    public static async Task<(string Connection, Func<Task> Drop)> CreatePostgresAsync()
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

    /// <summary>
    /// Deletes a test's folder. A part of it vanishing meanwhile (a process of the test tidying up
    /// its own files as it exits) is not a failure: the delete is tried again on what is left.
    /// </summary>
    public static void DeleteFolder(string folder)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                return;
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
                Thread.Sleep(50);
            }
        }
    }

    public static (string Folder, Func<Task> Delete) CreateFolder(string prefix = "taskflow-test-")
    {
        var folder = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return (folder, () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            DeleteFolder(folder);
            return Task.CompletedTask;
        });
    }
}
