using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Mcp;

/// <summary>
/// MCP tasks (protocol revision 2025-11-25) through the gateway, with server-everything from npm,
/// whose <c>simulate-research-query</c> runs only as a task (<c>taskSupport: "required"</c>, four
/// one-second stages): the gateway announces tasks and the tool's task support, a task-augmented
/// call makes a task under a gateway id, and <c>tasks/get</c>, <c>tasks/result</c>,
/// <c>tasks/list</c> and <c>tasks/cancel</c> reach it on the server session that made it. The C# SDK
/// has no model of tasks, so the requests are sent as JSON.
/// </summary>
public sealed class McpGatewayTaskTests
{
    private const string Tool = "everything__simulate-research-query";

    [Fact]
    public async Task Initialize_AnnouncesTheServersTasks_AndToolsListTheirTaskSupport()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var app = await StartAsync();

        var initialize = await RawAsync(app, null, "initialize", new JsonObject
        {
            ["protocolVersion"] = "2025-11-25",
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "raw", ["version"] = "1" },
        }, guard.Token);

        var tasks = initialize.Result["capabilities"]!["tasks"]!;
        Assert.NotNull(tasks["list"]);
        Assert.NotNull(tasks["cancel"]);
        Assert.NotNull(tasks["requests"]!["tools"]!["call"]);

        await using var client = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        var listed = await SendAsync(client, "tools/list", new JsonObject(), guard.Token);
        var research = listed!["tools"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == Tool)!;
        Assert.Equal("required", research["execution"]!["taskSupport"]!.GetValue<string>());
    }

    [Fact]
    public async Task TaskAugmentedCall_MakesATaskUnderAGatewayId_ThatGetResultListAndCancelReach_ForItsClientOnly()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var app = await StartAsync();
        await using var owner = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        await using var other = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        var toOwner = Statuses(owner);
        var toOther = Statuses(other);

        var created = await SendAsync(owner, "tools/call", new JsonObject
        {
            ["name"] = Tool,
            ["arguments"] = new JsonObject { ["topic"] = "durable workflows" },
            ["task"] = new JsonObject { ["ttl"] = 60_000 },
        }, guard.Token);
        var id = created!["task"]!["taskId"]!.GetValue<string>();
        Assert.Matches("^everything\\.[0-9a-f]{32}$", id);
        Assert.Equal("working", created["task"]!["status"]!.GetValue<string>());

        // Listed for its client, under the gateway's id; not for the other client, who cannot reach it either.
        var mine = await SendAsync(owner, "tasks/list", new JsonObject(), guard.Token);
        Assert.Equal([id], mine!["tasks"]!.AsArray().Select(t => t!["taskId"]!.GetValue<string>()));
        var theirs = await SendAsync(other, "tasks/list", new JsonObject(), guard.Token);
        Assert.Empty(theirs!["tasks"]!.AsArray());
        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => SendAsync(other, "tasks/get", new JsonObject { ["taskId"] = id }, guard.Token));
        Assert.Contains($"Unknown task '{id}'", refused.Message, StringComparison.Ordinal);

        // Polled until it completes (four one-second stages), then its result.
        string status;
        do
        {
            await Task.Delay(250, guard.Token);
            var got = await SendAsync(owner, "tasks/get", new JsonObject { ["taskId"] = id }, guard.Token);
            Assert.Equal(id, got!["taskId"]!.GetValue<string>());
            status = got["status"]!.GetValue<string>();
        }
        while (status == "working");

        Assert.Equal("completed", status);

        // The server announced each stage (notifications/tasks/status): to the task's client only, under the gateway's id.
        while (!toOwner.Any(n => n.Status == "completed"))
        {
            await Task.Delay(50, guard.Token);
        }

        Assert.All(toOwner, n => Assert.Equal(id, n.TaskId));
        Assert.Contains(toOwner, n => n.Status == "working");
        Assert.Empty(toOther);
        var result = await SendAsync(owner, "tasks/result", new JsonObject { ["taskId"] = id }, guard.Token);
        Assert.Contains("# Research Report: durable workflows", result!["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var related = result["_meta"]?["io.modelcontextprotocol/related-task"]?["taskId"]?.GetValue<string>();
        Assert.True(related is null || related == id, $"the result names task '{related}', not the gateway's '{id}'");

        // Its result fetched, the gateway lets go of it.
        var gone = await Assert.ThrowsAsync<McpProtocolException>(() => SendAsync(owner, "tasks/get", new JsonObject { ["taskId"] = id }, guard.Token));
        Assert.Contains($"Unknown task '{id}'", gone.Message, StringComparison.Ordinal);

        // A second task, cancelled while it works.
        var second = (await SendAsync(owner, "tools/call", new JsonObject
        {
            ["name"] = Tool,
            ["arguments"] = new JsonObject { ["topic"] = "cancelled research" },
            ["task"] = new JsonObject(),
        }, guard.Token))!["task"]!["taskId"]!.GetValue<string>();
        var cancelled = await SendAsync(owner, "tasks/cancel", new JsonObject { ["taskId"] = second }, guard.Token);
        Assert.Equal(second, cancelled!["taskId"]!.GetValue<string>());
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task InputRequiredTask_TheServersElicitation_ReachesTheTasksClient_WhileItWaitsOnTheResult()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var app = await StartAsync();
        var asked = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var owner = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, app.Client),
            new McpClientOptions
            {
                ProtocolVersion = "2025-11-25",
                Handlers = new McpClientHandlers
                {
                    // The person who answers is the one part that cannot run here: a scripted answer stands in.
                    ElicitationHandler = (request, _) =>
                    {
                        asked.Enqueue($"{request!.Meta?["io.modelcontextprotocol/related-task"]?["taskId"]}: {request.Message}");
                        return ValueTask.FromResult(new ElicitResult
                        {
                            Action = "accept",
                            Content = new Dictionary<string, System.Text.Json.JsonElement> { ["interpretation"] = System.Text.Json.JsonSerializer.SerializeToElement("the scripted reading") },
                        });
                    },
                },
            },
            cancellationToken: guard.Token);

        // An ambiguous query asks its client which reading is meant (input_required) before it completes.
        var id = (await SendAsync(owner, "tools/call", new JsonObject
        {
            ["name"] = Tool,
            ["arguments"] = new JsonObject { ["topic"] = "python", ["ambiguous"] = true },
            ["task"] = new JsonObject(),
        }, guard.Token))!["task"]!["taskId"]!.GetValue<string>();
        var result = await SendAsync(owner, "tasks/result", new JsonObject { ["taskId"] = id }, guard.Token);

        var question = Assert.Single(asked);
        Assert.StartsWith($"{id}: ", question, StringComparison.Ordinal);
        Assert.Contains("python", question, StringComparison.Ordinal);
        Assert.Contains("# Research Report: python (the scripted reading)", result!["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskAugmentedCall_ToAServerWithoutTasks_IsRefusedNamingIt()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var settings = new Dictionary<string, string?>();
        McpTestServers.Configure(settings, "everything", McpTestServers.Everything());
        var graph = Path.Combine(Path.GetTempPath(), $"taskflow-memory-{Guid.NewGuid():N}.json");
        McpTestServers.Configure(settings, "memory", McpTestServers.Memory(graph));
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
        using var cleanUp = new FileCleanUp(graph);
        await using var client = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);

        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => SendAsync(client, "tools/call", new JsonObject
        {
            ["name"] = "memory__read_graph",
            ["arguments"] = new JsonObject(),
            ["task"] = new JsonObject(),
        }, guard.Token));

        Assert.Contains("its server 'memory' does not support tasks", refused.Message, StringComparison.Ordinal);
    }

    private static System.Collections.Concurrent.ConcurrentQueue<(string TaskId, string Status)> Statuses(McpClient client)
    {
        var heard = new System.Collections.Concurrent.ConcurrentQueue<(string, string)>();
        client.RegisterNotificationHandler("notifications/tasks/status", (notification, _) =>
        {
            heard.Enqueue((notification.Params!["taskId"]!.GetValue<string>(), notification.Params!["status"]!.GetValue<string>()));
            return ValueTask.CompletedTask;
        });
        return heard;
    }

    private sealed class FileCleanUp(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }

    private static Task<TaskFlowApp> StartAsync() => McpGatewaySessionTests.StartAsync();

    private static async Task<JsonNode?> SendAsync(McpClient client, string method, JsonObject parameters, CancellationToken cancellationToken) =>
        (await client.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters }, cancellationToken)).Result;

    /// <summary>One JSON-RPC request posted to /mcp as it is, and its answer (JSON or the first SSE message), to read what the SDK's model drops.</summary>
    private static async Task<(JsonObject Result, string? Session)> RawAsync(TaskFlowApp app, string? session, string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = parameters }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
        }

        using var response = await app.Client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = body.TrimStart().StartsWith('{')
            ? body
            : body.Split('\n').First(l => l.StartsWith("data:", StringComparison.Ordinal))["data:".Length..];
        var message = JsonNode.Parse(json)!;
        return (message["result"] as JsonObject ?? throw new InvalidOperationException($"{method} answered {body}"), response.Headers.TryGetValues("Mcp-Session-Id", out var ids) ? ids.First() : null);
    }
}
