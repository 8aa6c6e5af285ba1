using Npgsql;

namespace TaskFlow.Chaos.Harness;

/// <summary>A fresh PostgreSQL database on a given server, dropped on dispose.</summary>
public sealed class ChaosDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private ChaosDatabase(string server, string name, string connectionString)
    {
        _server = server;
        _name = name;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public string Name => _name;

    public static async Task<ChaosDatabase> CreateAsync(string server)
    {
        var name = "tf_chaos_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        // No pooling for the scenario's own queries: a fault must not leave it a dead pooled connection.
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return new ChaosDatabase(server, name, connection);
    }

    /// <summary>Opens a fresh unpooled connection, retrying while the server restarts.</summary>
    public async Task<NpgsqlConnection> OpenAsync(TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, ApplicationName = "chaos-observer" }.ConnectionString);
            try
            {
                await connection.OpenAsync();
                return connection;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await connection.DisposeAsync();
                await Task.Delay(200);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var admin = new NpgsqlConnection(_server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The server may already be gone (a private server stopped first); nothing to drop then.
        }
    }
}
