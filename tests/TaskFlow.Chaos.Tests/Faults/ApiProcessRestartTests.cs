using System.Net;
using Npgsql;
using TaskFlow.Chaos.Harness;

namespace TaskFlow.Chaos.Tests.Faults;

/// <summary>
/// A server that runs no workers (an API-only process of a cluster) on PostgreSQL, with the database
/// restarted under it: its pooled connections all point at the dead server, and none of its calls
/// afterwards may fail for that (its listening connection notices the loss and clears the pools).
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class ApiProcessRestartTests
{
    private const string Key = "api-only-restart-key";

    [Fact]
    public async Task ApiOnlyServer_DatabaseRestartedImmediately_EveryCallAfterwardsSucceeds()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE taskflow_api_only", admin);
            await create.ExecuteNonQueryAsync();
        }

        var database = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "taskflow_api_only" }.ConnectionString;
        await using var server = await ServerProcess.StartAsync(Key, new Dictionary<string, string>
        {
            ["TaskFlow__Engine__Provider"] = "Postgres",
            ["TaskFlow__Engine__PostgresConnectionString"] = database,
            ["TaskFlow__Engine__RunWorkers"] = "false",
        });
        using var client = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);

        // Calls at once fill the pools with connections that stay idle there.
        var before = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.GetAsync(i % 2 == 0 ? "/api/definitions" : "/api/instances")));
        Assert.All(before, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        await postgres.RestartImmediateAsync();

        var failed = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            using var response = await client.GetAsync(i % 2 == 0 ? "/api/definitions" : "/api/instances");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failed.Add($"call {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(failed.Count == 0, string.Join(Environment.NewLine, failed) + Environment.NewLine + server.Output);
    }
}
