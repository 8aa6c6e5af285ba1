// MCP's logging and sampling are deprecated as of revision 2026-07-28 (SEP-2577); server-everything
// speaks an earlier revision and still uses them, which is what these tests exercise.
#pragma warning disable MCP9005

using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Mcp;

/// <summary>
/// Two clients of the gateway sharing one upstream process of server-everything (from npm): what
/// one client asks of it (a resource subscription, a log level, a cancellation) reaches that client
/// only, though the upstream session is the same.
/// </summary>
public sealed class McpGatewaySessionTests
{
    [Fact]
    public async Task Http_ResourceUpdates_ReachTheirSubscriberOnly()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var app = await StartAsync();
        await using var a = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        await using var b = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        Assert.True(a.ServerCapabilities.Resources?.Subscribe);

        var resources = await a.ListResourcesAsync(cancellationToken: guard.Token);
        var (first, second) = (resources[0].Uri, resources[1].Uri);
        var toA = Collect(a, NotificationMethods.ResourceUpdatedNotification, n => n.Params!["uri"]!.GetValue<string>());
        var toB = Collect(b, NotificationMethods.ResourceUpdatedNotification, n => n.Params!["uri"]!.GetValue<string>());
        await a.SubscribeToResourceAsync(first, cancellationToken: guard.Token);
        await b.SubscribeToResourceAsync(second, cancellationToken: guard.Token);

        // server-everything sends updates of what its session subscribed to once this tool is on
        // (at once, then every 5 s); its one session is the gateway's shared upstream.
        var toggled = await a.CallToolAsync("everything__toggle-subscriber-updates", cancellationToken: guard.Token);
        Assert.NotEqual(true, toggled.IsError);
        await WaitForAsync(() => toA.Count > 0 && toB.Count > 0, guard.Token);

        Assert.All(toA.Snapshot(), uri => Assert.Equal(first, uri));
        Assert.All(toB.Snapshot(), uri => Assert.Equal(second, uri));

        // B leaves its subscription; A's goes on, and B hears of the first resource still not.
        await b.UnsubscribeFromResourceAsync(second, cancellationToken: guard.Token);
        var heardByA = toA.Count;
        var heardByB = toB.Count;
        await WaitForAsync(() => toA.Count > heardByA + 1, guard.Token);
        Assert.All(toA.Snapshot(), uri => Assert.Equal(first, uri));
        Assert.InRange(toB.Count, heardByB, heardByB + 1); // one update may have been on its way when B left
        Assert.All(toB.Snapshot(), uri => Assert.Equal(second, uri));

        // A resource no server lists is refused by name.
        var missing = await Assert.ThrowsAsync<McpProtocolException>(() => a.SubscribeToResourceAsync("nowhere://nothing", cancellationToken: guard.Token));
        Assert.Contains("nowhere://nothing", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_LogLevel_IsEachClientsOwn()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var app = await StartAsync();
        await using var quiet = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        await using var chatty = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        await using var deaf = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        Assert.NotNull(quiet.ServerCapabilities.Logging);

        var toQuiet = Collect(quiet, NotificationMethods.LoggingMessageNotification, Message);
        var toChatty = Collect(chatty, NotificationMethods.LoggingMessageNotification, Message);
        var toDeaf = Collect(deaf, NotificationMethods.LoggingMessageNotification, Message);
        await quiet.SetLoggingLevelAsync(LoggingLevel.Error, cancellationToken: guard.Token);
        await chatty.SetLoggingLevelAsync(LoggingLevel.Debug, cancellationToken: guard.Token);

        // server-everything logs each subscription at info level...
        var resources = await quiet.ListResourcesAsync(cancellationToken: guard.Token);
        await quiet.SubscribeToResourceAsync(resources[0].Uri, cancellationToken: guard.Token);
        await WaitForAsync(() => toChatty.Snapshot().Any(m => m.Level == LoggingLevel.Info && m.Text.Contains("Subscribe", StringComparison.Ordinal)), guard.Token);

        // ...and, once asked, sends a message of a random level every 5 s: wait for the quiet
        // client's first (one of four levels of eight is loud enough for it).
        var toggled = await quiet.CallToolAsync("everything__toggle-simulated-logging", cancellationToken: guard.Token);
        Assert.NotEqual(true, toggled.IsError);
        await WaitForAsync(() => toQuiet.Count > 0, guard.Token);

        Assert.All(toQuiet.Snapshot(), m => Assert.True(m.Level >= LoggingLevel.Error, $"the client that asked for errors got a {m.Level} message: {m.Text}"));
        Assert.All(toChatty.Snapshot(), m => Assert.StartsWith("everything", m.Logger, StringComparison.Ordinal));
        // What the quiet client heard, the chatty one hears too (each is sent on its own, so the
        // chatty client's copy may still be on its way).
        var heardByQuiet = toQuiet.Snapshot().Select(m => m.Text).ToHashSet();
        await WaitForAsync(() => heardByQuiet.IsSubsetOf(toChatty.Snapshot().Select(m => m.Text)), guard.Token);
        Assert.Equal(0, toDeaf.Count); // never set a level: hears nothing
    }

    [Fact]
    public async Task Http_Cancellation_EndsOnlyTheCancelledCall()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var app = await StartAsync();
        await using var a = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        await using var b = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);
        var arguments = new Dictionary<string, object?> { ["duration"] = 4, ["steps"] = 4 };

        using var cancelA = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callA = a.CallToolAsync("everything__trigger-long-running-operation", arguments, new Progress<ProgressNotificationValue>(_ => started.TrySetResult()), cancellationToken: cancelA.Token).AsTask();
        var callB = b.CallToolAsync("everything__trigger-long-running-operation", arguments, cancellationToken: guard.Token).AsTask();
        await started.Task.WaitAsync(guard.Token);
        await cancelA.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => callA);
        var resultB = await callB;
        Assert.NotEqual(true, resultB.IsError);
        Assert.Contains("Long running operation completed", McpGatewayTests.Text(resultB), StringComparison.Ordinal);

        // A's session is still good for another call.
        var echo = await a.CallToolAsync("everything__echo", new Dictionary<string, object?> { ["message"] = "still here" }, cancellationToken: guard.Token);
        Assert.Contains("still here", McpGatewayTests.Text(echo), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_SamplingAndElicitation_ReachTheCallingClient_AndAreRefusedForOneWithout()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var app = await StartAsync();
        var sampled = new List<string>();
        var options = new McpClientOptions
        {
            ProtocolVersion = "2025-11-25",
            Handlers = new McpClientHandlers
            {
                // The model is the one part that cannot run here: a scripted answer stands in for it.
                SamplingHandler = (request, _, _) =>
                {
                    lock (sampled)
                    {
                        sampled.AddRange(request!.Messages.Select(m => (m.Content.OfType<TextContentBlock>().FirstOrDefault())?.Text ?? ""));
                    }

                    return ValueTask.FromResult(new CreateMessageResult
                    {
                        Role = Role.Assistant,
                        Model = "scripted",
                        Content = [new TextContentBlock { Text = "a scripted answer" }],
                    });
                },
                ElicitationHandler = (request, _) => ValueTask.FromResult(new ElicitResult
                {
                    Action = "accept",
                    Content = new Dictionary<string, JsonElement> { ["name"] = JsonSerializer.SerializeToElement("Ada Lovelace"), ["check"] = JsonSerializer.SerializeToElement(true) },
                }),
            },
        };
        await using var capable = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, app.Client),
            options,
            cancellationToken: guard.Token);
        await using var plain = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);

        var sampling = await capable.CallToolAsync("everything__trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "name a colour" }, cancellationToken: guard.Token);
        Assert.NotEqual(true, sampling.IsError);
        Assert.Contains("a scripted answer", McpGatewayTests.Text(sampling), StringComparison.Ordinal);
        Assert.Contains(sampled, text => text.Contains("name a colour", StringComparison.Ordinal));

        var elicited = await capable.CallToolAsync("everything__trigger-elicitation-request", cancellationToken: guard.Token);
        Assert.NotEqual(true, elicited.IsError);
        Assert.Contains("- Name: Ada Lovelace", McpGatewayTests.Text(elicited), StringComparison.Ordinal);

        // A client without the capabilities: the upstream gets the protocol's error, which its
        // tool reports; the capable client's handler is never asked for it.
        var asked = sampled.Count;
        var refused = await plain.CallToolAsync("everything__trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "not for you" }, cancellationToken: guard.Token);
        Assert.True(refused.IsError);
        Assert.Contains("did not declare the sampling capability", McpGatewayTests.Text(refused), StringComparison.Ordinal);
        var refusedElicitation = await plain.CallToolAsync("everything__trigger-elicitation-request", cancellationToken: guard.Token);
        Assert.True(refusedElicitation.IsError);
        Assert.Contains("did not declare the elicitation capability", McpGatewayTests.Text(refusedElicitation), StringComparison.Ordinal);
        Assert.Equal(asked, sampled.Count);
    }

    [Fact]
    public async Task Http_TwoSamplingClientsAtOnce_EachCallGetsAConnectionToItself_AndEachClientAnswersItsOwnRequest()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var app = await StartAsync();

        // Each client's handler waits (up to 30 s) until the other's has been asked too, so the two
        // calls are in flight together. On one shared connection the server's requests could not be
        // told apart and would be refused; each call has a connection to itself instead.
        var askedA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var askedB = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = await SamplingClientAsync(app, "answer of A", askedA, askedB.Task, guard.Token);
        await using var b = await SamplingClientAsync(app, "answer of B", askedB, askedA.Task, guard.Token);

        var callA = a.CallToolAsync("everything__trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "for A" }, cancellationToken: guard.Token).AsTask();
        var callB = b.CallToolAsync("everything__trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "for B" }, cancellationToken: guard.Token).AsTask();
        var (resultA, resultB) = (await callA, await callB);

        Assert.True(askedA.Task.IsCompletedSuccessfully && askedB.Task.IsCompletedSuccessfully);
        Assert.NotEqual(true, resultA.IsError);
        Assert.NotEqual(true, resultB.IsError);
        Assert.Contains("answer of A", McpGatewayTests.Text(resultA), StringComparison.Ordinal);
        Assert.Contains("answer of B", McpGatewayTests.Text(resultB), StringComparison.Ordinal);
        Assert.DoesNotContain("answer of B", McpGatewayTests.Text(resultA), StringComparison.Ordinal);
    }

    private static Task<McpClient> SamplingClientAsync(TaskFlowApp app, string answer, TaskCompletionSource asked, Task other, CancellationToken cancellationToken) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, app.Client),
            new McpClientOptions
            {
                ProtocolVersion = "2025-11-25",
                Handlers = new McpClientHandlers
                {
                    // The model is the one part that cannot run here: a scripted answer stands in for it.
                    SamplingHandler = async (request, _, token) =>
                    {
                        asked.TrySetResult();
                        await other.WaitAsync(TimeSpan.FromSeconds(30), token).ContinueWith(_ => { }, TaskScheduler.Default);
                        return new CreateMessageResult { Role = Role.Assistant, Model = "scripted", Content = [new TextContentBlock { Text = answer }] };
                    },
                },
            },
            cancellationToken: cancellationToken);

    /// <summary>A server fronting server-everything from npm, on the embedded default.</summary>
    internal static async Task<TaskFlowApp> StartAsync()
    {
        var settings = new Dictionary<string, string?>();
        McpTestServers.Configure(settings, "everything", McpTestServers.Everything());
        return await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
    }

    private static (LoggingLevel Level, string Logger, string Text) Message(JsonRpcNotification notification)
    {
        var message = notification.Params.Deserialize<LoggingMessageNotificationParams>(McpJsonUtilities.DefaultOptions)!;
        return (message.Level, message.Logger ?? "", message.Data.ToString());
    }

    private static Heard<T> Collect<T>(McpClient client, string method, Func<JsonRpcNotification, T> read)
    {
        var heard = new Heard<T>();
        client.RegisterNotificationHandler(method, (notification, _) =>
        {
            heard.Add(read(notification));
            return ValueTask.CompletedTask;
        });
        return heard;
    }

    private static async Task WaitForAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    private sealed class Heard<T>
    {
        private readonly List<T> _items = [];

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }

        public void Add(T item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public List<T> Snapshot()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }
}
