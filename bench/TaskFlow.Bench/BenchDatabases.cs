namespace TaskFlow.Bench;

/// <summary>A fresh PostgreSQL database per engine measured, dropped after it.</summary>
internal static class BenchDatabases
{
    /// <summary>Creates a database on the server; answers its connection string.</summary>
    public static async Task<string> CreateAsync(string server, string prefix)
    {
        var name = $"tf_bench_{prefix}_{Guid.NewGuid():N}"[..30];
        await using var admin = new Npgsql.NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
        return new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public static async Task DropAsync(string server, string connection)
    {
        var name = new Npgsql.NpgsqlConnectionStringBuilder(connection).Database;
        await using var admin = new Npgsql.NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
