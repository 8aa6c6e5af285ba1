using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Mcp;

/// <summary>The gateway: the fleet as one MCP server, at /mcp (Streamable HTTP) and from <c>taskflow mcp gateway</c> (stdio).</summary>
public sealed class McpGatewayTests
{
    private static Dictionary<string, string?> Fleet(string root)
    {
        var settings = new Dictionary<string, string?>();
        McpTestServers.Configure(settings, "everything", McpTestServers.Everything());
        McpTestServers.Configure(settings, "fs", McpTestServers.Filesystem(root));
        return settings;
    }

    [Fact]
    public async Task Http_ListsTheFleetPrefixed_ForwardsCallsAndProgress_AndNeedsTheKey()
    {
        var root = Directory.CreateTempSubdirectory("taskflow-gateway-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root, "a.txt"), "through the gateway");
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Fleet(root));
            using (var anonymous = await app.CreateAnonymousClient().PostAsync("/mcp", TaskFlowApp.JsonBody("{}")))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }

            // The client SDK hands a call its progress on the thread pool, one work item per
            // notification, and drops the call's handler when the result comes; an update handled
            // late is lost there, not in the gateway. A handler kept for the whole session sees
            // every update the gateway sent, however late it runs.
            var updates = new List<ProgressNotificationParams>();
            var options = new McpClientOptions();
            options.Handlers.NotificationHandlers =
            [
                new(NotificationMethods.ProgressNotification, (notification, _) =>
                {
                    lock (updates)
                    {
                        updates.Add(notification.Params.Deserialize<ProgressNotificationParams>(McpJsonUtilities.DefaultOptions)!);
                    }

                    return ValueTask.CompletedTask;
                }),
            ];
            await using var client = await McpClient.CreateAsync(new HttpClientTransport(
                new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
                app.Client), options);

            var tools = await client.ListToolsAsync();
            var names = tools.Select(t => t.Name).ToHashSet();
            Assert.Contains("everything__echo", names);
            Assert.Contains("fs__read_text_file", names);
            Assert.DoesNotContain("echo", names);

            var echo = await client.CallToolAsync("everything__echo", new Dictionary<string, object?> { ["message"] = "hi" });
            Assert.Equal("Echo: hi", Text(echo));
            var read = await client.CallToolAsync("fs__read_text_file", new Dictionary<string, object?> { ["path"] = Path.Combine(root, "a.txt") });
            Assert.Equal("through the gateway", Text(read));

            // The upstream sends its last update just before its result: all three must still
            // come through, under the caller's token.
            var longRun = await client.CallToolAsync(
                "everything__trigger-long-running-operation", new Dictionary<string, object?> { ["duration"] = 0.6, ["steps"] = 3 }, new Progress<ProgressNotificationValue>());
            Assert.NotEqual(true, longRun.IsError);
            for (var i = 0; i < 100 && Count(updates) < 3; i++)
            {
                await Task.Delay(100);
            }

            lock (updates)
            {
                Assert.Equal([1, 2, 3], updates.Select(u => u.Progress.Progress).Order());
                Assert.All(updates, u => Assert.Equal(3, u.Progress.Total));
                Assert.Single(updates.Select(u => u.ProgressToken).Distinct());
            }

            var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("nobody.nothing").AsTask());
            Assert.Contains("Unknown tool 'nobody.nothing'", unknown.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// A stateless call with no progress token is answered by the gateway itself, as one JSON
    /// message; the same call with a progress token goes through the SDK's transport as an SSE
    /// stream. Both answers must carry the same result, and the same error for an unknown tool.
    /// </summary>
    [Fact]
    public async Task Http_StatelessCall_IsAnsweredAsJson_WithWhatTheSdkPathAnswers()
    {
        var root = Directory.CreateTempSubdirectory("taskflow-gateway-").FullName;
        try
        {
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Fleet(root));

            var (directType, direct) = await PostAsync(app.Client, Call(1, "everything__echo", progress: false));
            var (sdkType, sdk) = await PostAsync(app.Client, Call(1, "everything__echo", progress: true));
            Assert.Equal("application/json", directType);
            Assert.Equal("text/event-stream", sdkType);
            Assert.Equal("Echo: raw", direct["result"]!["content"]![0]!["text"]!.GetValue<string>());
            Assert.True(JsonNode.DeepEquals(sdk, direct), $"direct: {direct.ToJsonString()}\nthrough the SDK: {sdk.ToJsonString()}");

            var (_, directError) = await PostAsync(app.Client, Call(2, "nobody.nothing", progress: false));
            var (_, sdkError) = await PostAsync(app.Client, Call(2, "nobody.nothing", progress: true));
            Assert.Contains("Unknown tool 'nobody.nothing'", directError["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(JsonNode.DeepEquals(sdkError, directError), $"direct: {directError.ToJsonString()}\nthrough the SDK: {sdkError.ToJsonString()}");

            // Another method goes to the SDK as it is.
            var (_, listed) = await PostAsync(app.Client, Request(3, "tools/list", new JsonObject()));
            Assert.Contains(listed["result"]!["tools"]!.AsArray(), t => t!["name"]!.GetValue<string>() == "everything__echo");

            // A body the gateway reads and leaves (above: a progress token; here: malformed, or
            // naming another tool than its header) reaches the SDK whole, which answers it.
            using (var malformed = await app.Client.SendAsync(Raw("{\"jsonrpc\":\"2.0\",", name: "everything__echo")))
            {
                Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            }

            using (var mismatched = await app.Client.SendAsync(Raw(Call(5, "everything__echo", progress: false).ToJsonString(), name: "fs__read_text_file")))
            {
                Assert.Equal(HttpStatusCode.BadRequest, mismatched.StatusCode);
                Assert.Contains("Mcp-Name", await mismatched.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // And no key, no call.
            using (var anonymous = await app.CreateAnonymousClient().SendAsync(Raw(Call(4, "everything__echo", progress: false).ToJsonString(), name: "everything__echo")))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static JsonObject Call(int id, string tool, bool progress)
    {
        var parameters = new JsonObject { ["name"] = tool, ["arguments"] = new JsonObject { ["message"] = "raw" } };
        var request = Request(id, "tools/call", parameters);
        if (progress)
        {
            parameters["_meta"]!["progressToken"] = "p-" + id;
        }

        return request;
    }

    /// <summary>A 2026-07-28 request: no session, the revision, client and capabilities in every request's <c>_meta</c>.</summary>
    private static JsonObject Request(int id, string method, JsonObject parameters)
    {
        parameters["_meta"] = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
            ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = "raw-test", ["version"] = "1.0" },
            ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
        };
        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters };
    }

    /// <summary>A POST with the headers 2026-07-28 asks for: the revision, and the method and tool name mirrored from the body.</summary>
    private static HttpRequestMessage Raw(string body, string method = "tools/call", string? name = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        message.Headers.Accept.ParseAdd("application/json");
        message.Headers.Accept.ParseAdd("text/event-stream");
        message.Headers.Add("MCP-Protocol-Version", "2026-07-28");
        message.Headers.Add("Mcp-Method", method);
        if (name is not null)
        {
            message.Headers.Add("Mcp-Name", name);
        }

        return message;
    }

    /// <summary>Posts one request; returns the content type and the JSON-RPC message that answers it (from the body, or from the SSE stream's events).</summary>
    private static async Task<(string? ContentType, JsonNode Answer)> PostAsync(HttpClient client, JsonObject request)
    {
        using var response = await client.SendAsync(Raw(request.ToJsonString(), request["method"]!.GetValue<string>(), request["params"]!["name"]?.GetValue<string>()));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        var type = response.Content.Headers.ContentType?.MediaType;
        if (type == "application/json")
        {
            return (type, JsonNode.Parse(body)!);
        }

        var answer = body.Split('\n')
            .Where(line => line.StartsWith("data:", StringComparison.Ordinal) && line.Length > "data:".Length + 1)
            .Select(line => JsonNode.Parse(line["data:".Length..])!)
            .Single(message => message["id"] is not null && JsonNode.DeepEquals(message["id"], request["id"]));
        return (type, answer);
    }

    [Fact]
    public async Task Stdio_GatewayCommand_ServesTheFleet()
    {
        var launch = McpTestServers.Everything();
        var environment = new Dictionary<string, string?>
        {
            ["TaskFlow__Mcp__Servers__everything__Command"] = launch.Command,
            ["TaskFlow__Mcp__Servers__everything__WorkingDirectory"] = launch.WorkingDirectory,
            ["TaskFlow__Mcp__Gateway__Naming"] = "CollisionsOnly",
        };
        for (var i = 0; i < launch.Arguments.Count; i++)
        {
            environment[$"TaskFlow__Mcp__Servers__everything__Arguments__{i}"] = launch.Arguments[i];
        }

        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "gateway",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "taskflow.dll"), "mcp", "gateway"],
            EnvironmentVariables = environment,
            WorkingDirectory = AppContext.BaseDirectory,
        }),

        // A .NET process starting on a busy machine can take longer than the SDK's 5 s probe.
        new McpClientOptions { DiscoverProbeTimeout = TimeSpan.FromSeconds(60) });

        var tools = await client.ListToolsAsync();
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "stdio" });

        Assert.Contains(tools, t => t.Name == "echo");
        Assert.Equal("Echo: stdio", Text(echo));
        Assert.Equal("taskflow-gateway", client.ServerInfo?.Name);

        // A C# server and client on the same SDK agree on the newest revision; the upstream
        // (a Node server) was reached on its own, older one.
        Assert.Equal("2026-07-28", client.NegotiatedProtocolVersion);
    }

    /// <summary>The router with upstreams on both ends of the protocol range: a C# server (another TaskFlow's gateway) on 2026-07-28 and mcp-server-commands on 2024-11-05.</summary>
    [Fact]
    public async Task Router_NegotiatesEachUpstreamsOwnRevision()
    {
        var launch = McpTestServers.Everything();
        var inner = new Dictionary<string, string?>
        {
            ["TaskFlow__Mcp__Servers__everything__Command"] = launch.Command,
            ["TaskFlow__Mcp__Servers__everything__WorkingDirectory"] = launch.WorkingDirectory,
            ["TaskFlow__Mcp__Servers__everything__Arguments__0"] = launch.Arguments[0],
            ["TaskFlow__Mcp__Servers__everything__Arguments__1"] = launch.Arguments[1],
        };
        var settings = new Dictionary<string, string?>
        {
            ["TaskFlow:Mcp:Servers:inner:Command"] = "dotnet",
            ["TaskFlow:Mcp:Servers:inner:Arguments:0"] = Path.Combine(AppContext.BaseDirectory, "taskflow.dll"),
            ["TaskFlow:Mcp:Servers:inner:Arguments:1"] = "mcp",
            ["TaskFlow:Mcp:Servers:inner:Arguments:2"] = "gateway",
            ["TaskFlow:Mcp:Servers:inner:WorkingDirectory"] = AppContext.BaseDirectory,
        };
        foreach (var (key, value) in inner)
        {
            settings[$"TaskFlow:Mcp:Servers:inner:Environment:{key}"] = value;
        }

        McpTestServers.Configure(settings, "commands", McpTestServers.Commands());
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
        var router = app.Services.GetRequiredService<TaskFlow.Routing.McpRouter>();

        var echo = await router.CallToolAsync(new TaskFlow.Routing.McpToolCall("inner.everything__echo", new System.Text.Json.Nodes.JsonObject { ["message"] = "two hops" }));
        var run = await router.CallToolAsync(new TaskFlow.Routing.McpToolCall("commands.run_command", new System.Text.Json.Nodes.JsonObject { ["command"] = "echo old-revision" }));

        Assert.Equal("Echo: two hops", Text(echo.Result));
        Assert.Contains("old-revision", Text(run.Result), StringComparison.Ordinal);
        var versions = router.GetStatus().ToDictionary(s => s.Name, s => s.ProtocolVersion);
        Assert.Equal("2026-07-28", versions["inner"]);
        Assert.Equal("2024-11-05", versions["commands"]);
    }

    /// <summary>
    /// Clients on the initialize handshake get a session at /mcp; an upstream that keeps state per
    /// session (a fixture: one process is one session) gives each its own, closed when the client
    /// ends its session. A 2026-07-28 client has no session and shares the pool.
    /// </summary>
    [Fact]
    public async Task Http_SessionClients_GetTheirOwnUpstreamSessions_ClosedWithTheirSession_AndHearOfToolChanges()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var settings = new Dictionary<string, string?>();
        McpTestServers.Configure(settings, "stateful", Fixture("session-state-server.js"));
        settings["TaskFlow:Mcp:Servers:stateful:Session"] = "Pinned";
        McpTestServers.Configure(settings, "changing", Fixture("changing-tools-server.js"));
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
        var router = app.Services.GetRequiredService<TaskFlow.Routing.McpRouter>();
        int Pinned() => router.GetStatus().Single(s => s.Name == "stateful").PinnedSessions;

        var a = await ConnectAsync(app, "2025-11-25", guard.Token);
        await using var b = await ConnectAsync(app, "2025-11-25", guard.Token);
        await using var stateless = await ConnectAsync(app, null, guard.Token);
        Assert.NotNull(a.SessionId);
        Assert.Null(stateless.SessionId);
        Assert.Equal("2026-07-28", stateless.NegotiatedProtocolVersion);

        await a.CallToolAsync("stateful__remember", new Dictionary<string, object?> { ["text"] = "from a" }, cancellationToken: guard.Token);
        await b.CallToolAsync("stateful__remember", new Dictionary<string, object?> { ["text"] = "from b" }, cancellationToken: guard.Token);
        var recalledA = Text(await a.CallToolAsync("stateful__recall", cancellationToken: guard.Token));
        var recalledB = Text(await b.CallToolAsync("stateful__recall", cancellationToken: guard.Token));
        var recalledShared = Text(await stateless.CallToolAsync("stateful__recall", cancellationToken: guard.Token));

        Assert.EndsWith(":from a", recalledA, StringComparison.Ordinal);
        Assert.EndsWith(":from b", recalledB, StringComparison.Ordinal);
        Assert.EndsWith(":", recalledShared, StringComparison.Ordinal);
        Assert.Equal(2, Pinned());

        // A tool change upstream reaches the sessions, whoever caused it.
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (a.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            heard.TrySetResult();
            return ValueTask.CompletedTask;
        }))
        {
            await b.CallToolAsync("changing__add_tool", new Dictionary<string, object?> { ["text"] = "new_tool" }, cancellationToken: guard.Token);
            await heard.Task.WaitAsync(guard.Token);
        }

        // Ending a's session (the client deletes it) closes a's upstream session, not b's.
        await a.DisposeAsync();
        while (Pinned() != 1)
        {
            await Task.Delay(100, guard.Token);
        }

        Assert.EndsWith(":from b", Text(await b.CallToolAsync("stateful__recall", cancellationToken: guard.Token)), StringComparison.Ordinal);
    }

    private static StdioLaunch Fixture(string script)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        return new StdioLaunch("node", [Path.Combine(folder, script)], new Dictionary<string, string>(), folder);
    }

    /// <param name="protocolVersion">A revision to ask for (an older one opens a session); null takes the newest.</param>
    internal static Task<McpClient> ConnectAsync(TaskFlowApp app, string? protocolVersion, CancellationToken cancellationToken) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, app.Client),
            new McpClientOptions { ProtocolVersion = protocolVersion },
            cancellationToken: cancellationToken);

    internal static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    private static int Count<T>(List<T> items)
    {
        lock (items)
        {
            return items.Count;
        }
    }
}
