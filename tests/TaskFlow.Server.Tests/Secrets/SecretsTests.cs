using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Npgsql;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Secrets;

/// <summary>
/// <c>{{ secrets.NAME }}</c>: resolved when an activity runs (from configuration, and from a folder
/// of files as Docker and Kubernetes mount them), and found nowhere TaskFlow keeps data: not in the
/// instance, its nodes' outputs and errors, the journal, the definitions, nor anywhere in the
/// database, though the server called echoes it back.
/// </summary>
public sealed class SecretsTests
{
    private const string Configured = "cfg-secret-7f3a9c2e51d04b86";
    private const string FromFile = "file-secret-0c8e4d7b2a6f9135";

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task SecretInAHeader_ReachesTheServer_AndIsStoredNowhere(string provider)
    {
        var received = new List<string>();
        var (target, address) = await HttpForwarding.StartAsync(async context =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            var extra = context.Request.Headers["X-Other"].ToString();
            lock (received)
            {
                received.Add(authorization);
                received.Add(extra);
            }

            // The server echoes what it got, in a header and the body: the output would carry it.
            context.Response.Headers["X-Echo"] = authorization;
            await context.Response.WriteAsJsonAsync(new JsonObject { ["auth"] = authorization, ["other"] = extra, [extra] = "as a name" });
        });
        await using var _ = target;
        var folder = Directory.CreateTempSubdirectory("taskflow-secrets-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "FILE_TOKEN"), FromFile + "\n");
        try
        {
            await using var app = await TaskFlowApp.StartAsync(provider, new Dictionary<string, string?>
            {
                ["TaskFlow:Http:AllowLoopback"] = "true",
                ["TaskFlow:Secrets:Values:API_TOKEN"] = Configured,
                ["TaskFlow:Secrets:Directory"] = folder,
            });
            var definition = $$$"""
                { "id": "secretive", "nodes": [
                    { "id": "call", "type": "http.request", "inputs": { "url": "{{{address}}}echo",
                      "headers": { "Authorization": "Bearer {{ secrets.API_TOKEN }}", "X-Other": "{{ secrets.FILE_TOKEN }}" } } },
                    { "id": "copy", "type": "transform", "inputs": { "value": "{{ nodes.call.output.body.auth }} and {{ secrets.FILE_TOKEN }}" } },
                    { "id": "boom", "type": "fail", "inputs": { "message": "could not use {{ secrets.API_TOKEN }}" } } ],
                  "edges": [ { "from": "call", "to": "copy" }, { "from": "copy", "to": "boom" } ] }
                """;
            // copy and boom are pure: they run inside the commit of call's result (docs/engine.md,
            // "Pure steps run inline"), so this also checks what is kept of steps run there.
            await app.SaveAsync(definition);
            using var run = await app.Client.PostAsync("/api/definitions/secretive/run?wait=true&timeout=60", TaskFlowApp.JsonBody("{}"));
            var view = (JsonObject)await TaskFlowApp.ReadAsync(run);

            // Resolved where it was used...
            Assert.Equal([$"Bearer {Configured}", FromFile], received);

            // ...and masked in everything kept: the outputs, the error, the journal.
            Assert.Equal("Failed", (string?)view["status"]);
            var call = view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "call")!["output"]!;
            Assert.Equal("Bearer ***", (string?)call["body"]!["auth"]);
            Assert.Equal("Bearer ***", (string?)call["headers"]!["x-echo"]);
            Assert.Equal("as a name", (string?)call["body"]!["***"]);
            Assert.Equal("Bearer *** and ***", (string?)view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "copy")!["output"]);
            Assert.Contains("could not use ***", (string?)view["error"], StringComparison.Ordinal);
            var id = (string)view["id"]!;
            var journal = await app.Client.GetStringAsync($"/api/instances/{id}/journal");
            var everything = view.ToJsonString() + journal + await app.Client.GetStringAsync("/api/definitions/secretive") + await app.Client.GetStringAsync("/api/instances");
            Assert.DoesNotContain(Configured, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(FromFile, everything, StringComparison.Ordinal);

            // And nowhere in the database, whatever table.
            var stored = provider == TaskFlowApp.Postgres ? await PostgresTextAsync(app.Connection) : SqliteBytes(app.DataDirectory);
            Assert.DoesNotContain(Configured, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(FromFile, stored, StringComparison.Ordinal);
            Assert.Contains("Bearer ***", stored, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task SecretInAnMcpServersEnvironment_ReachesTheServer_AndIsMaskedInWhatItReturns()
    {
        const string token = "env-secret-5d1c9e7a3b2f8046";
        var settings = new Dictionary<string, string?>
        {
            ["TaskFlow:Secrets:Values:MCP_TOKEN"] = token,
            ["TaskFlow:Mcp:Servers:everything:Environment:SECRET_FOR_TOOLS"] = "{{ secrets.MCP_TOKEN }}",
        };
        McpTestServers.Configure(settings, "everything", McpTestServers.Everything());
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
        await app.SaveAsync("""{ "id": "env", "nodes": [ { "id": "env", "type": "mcp.call", "inputs": { "tool": "get-env" } } ] }""");
        using var run = await app.Client.PostAsync("/api/definitions/env/run?wait=true&timeout=60", TaskFlowApp.JsonBody("{}"));
        var view = (JsonObject)await TaskFlowApp.ReadAsync(run);
        Assert.True((string?)view["status"] == "Succeeded", view.ToJsonString());

        // The server's process had the secret (the tool lists its environment), and the node's
        // output, which the journal and the database keep, has it masked.
        var text = view.ToJsonString();
        Assert.Contains("SECRET_FOR_TOOLS", text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        Assert.DoesNotContain("secrets.MCP_TOKEN", text, StringComparison.Ordinal);
        Assert.Contains("***", text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, SqliteBytes(app.DataDirectory), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretThatIsNotSet_FailsTheServersStart_NamingIt()
    {
        var settings = new Dictionary<string, string?> { ["TaskFlow:Mcp:Servers:everything:Environment:SECRET_FOR_TOOLS"] = "{{ secrets.MISSING }}" };
        McpTestServers.Configure(settings, "everything", McpTestServers.Everything());
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
        await app.SaveAsync("""{ "id": "env", "nodes": [ { "id": "env", "type": "mcp.call", "inputs": { "tool": "get-env", "server": "everything" } } ] }""");
        using var run = await app.Client.PostAsync("/api/definitions/env/run?wait=true&timeout=60", TaskFlowApp.JsonBody("{}"));
        var view = (JsonObject)await TaskFlowApp.ReadAsync(run);

        Assert.Equal("Failed", (string?)view["status"]);
        Assert.Contains("environment variable 'SECRET_FOR_TOOLS' names secret 'MISSING', which is not set", (string?)view["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretInAUrlAndAHeader_IsInNoLogLine_AtAnyLevel()
    {
        var (target, address) = await HttpForwarding.StartAsync(context =>
        {
            context.Response.StatusCode = 500;
            return context.Response.WriteAsync($"refused {context.Request.Path} for {context.Request.Headers.Authorization}");
        });
        await using var _ = target;
        var logs = new CapturedLogs();
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>
        {
            ["TaskFlow:Http:AllowLoopback"] = "true",
            ["TaskFlow:Http:RetryDelay"] = "00:00:00.01",
            ["TaskFlow:Secrets:Values:API_TOKEN"] = Configured,
        }, logs: logs);
        await app.SaveAsync($$$"""
            { "id": "logged", "nodes": [ { "id": "call", "type": "http.request",
                "inputs": { "url": "{{{address}}}items/{{ secrets.API_TOKEN }}", "headers": { "Authorization": "Bearer {{ secrets.API_TOKEN }}" } } },
              { "id": "boom", "type": "fail", "inputs": { "message": "gave up on {{ secrets.API_TOKEN }}" } } ],
              "edges": [ { "from": "call", "to": "boom", "fromPort": "error" } ] }
            """);
        using var run = await app.Client.PostAsync("/api/definitions/logged/run?wait=true&timeout=60", TaskFlowApp.JsonBody("{}"));
        var view = (JsonObject)await TaskFlowApp.ReadAsync(run);
        Assert.Equal("Failed", (string?)view["status"]);

        // The run did log (the request, the failures), and no line has the secret.
        var lines = logs.Lines.ToArray();
        Assert.Contains(lines, l => l.Contains("/items/", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("gave up on ***", StringComparison.Ordinal));
        var leaked = lines.Where(l => l.Contains(Configured, StringComparison.Ordinal)).ToArray();
        Assert.True(leaked.Length == 0, string.Join("\n", leaked));
    }

    [Fact]
    public async Task SecretThatIsNotSet_InANodesInputs_FailsTheNodeNamingIt_AndNothingIsSent()
    {
        var requests = 0;
        var (target, address) = await HttpForwarding.StartAsync(context =>
        {
            Interlocked.Increment(ref requests);
            return context.Response.WriteAsync("ok");
        });
        await using var _ = target;
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>
        {
            ["TaskFlow:Http:AllowLoopback"] = "true",
            ["TaskFlow:Secrets:Values:API_TOKEN"] = Configured,
        });
        await app.SaveAsync($$$"""
            { "id": "unset", "nodes": [ { "id": "call", "type": "http.request", "retry": { "maxAttempts": 3, "delay": "10ms" },
                "inputs": { "url": "{{{address}}}echo", "headers": { "Authorization": "Bearer {{ secrets.API_TOKEN }}", "X-Other": "{{ secrets['NOT_CONFIGURED'] }}" } } } ] }
            """);
        using var run = await app.Client.PostAsync("/api/definitions/unset/run?wait=true&timeout=60", TaskFlowApp.JsonBody("{}"));
        var view = (JsonObject)await TaskFlowApp.ReadAsync(run);

        Assert.Equal("Failed", (string?)view["status"]);
        var call = view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "call")!;
        Assert.StartsWith("Inputs could not be rendered: secret 'NOT_CONFIGURED' is not set", (string?)call["error"], StringComparison.Ordinal);
        Assert.Equal(1, (int)call["attempt"]!);
        Assert.Equal(0, requests);
    }

    /// <summary>Every row of every table, as text.</summary>
    private static async Task<string> PostgresTextAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", db))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", db);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.AppendLine(reader.GetString(0));
            }
        }

        return text.ToString();
    }

    /// <summary>The database files' bytes (the write-ahead log included), as Latin-1 so that any UTF-8 text in them reads as itself.</summary>
    private static string SqliteBytes(string folder) =>
        string.Concat(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.Contains(".db", StringComparison.Ordinal) || f.EndsWith("-wal", StringComparison.Ordinal))
            .Select(f =>
            {
                using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                return Encoding.Latin1.GetString(memory.ToArray());
            }));
}
