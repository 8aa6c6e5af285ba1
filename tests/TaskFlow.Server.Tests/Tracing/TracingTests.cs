using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Trace;
using TaskFlow.Engine.Diagnostics;
using TaskFlow.Routing.Diagnostics;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Server.Tracing;
using TaskFlow.Testing;
using TaskFlow.Workspaces.Diagnostics;

namespace TaskFlow.Server.Tests.Tracing;

/// <summary>
/// Traces: an instance is a trace, each node attempt a span under its root, the MCP call (to a
/// real npm server and to a fixture that shows the <c>_meta</c> it got) and the sandboxed exec
/// beneath the node that made them; and, with the <c>OTEL_*</c> settings of a real deployment, the
/// server exports them over OTLP to a collector, with secrets masked.
/// </summary>
/// <remarks>
/// Listeners are process-wide and other tests run in parallel: every assertion looks only at the
/// spans of this test's instance (its trace id), which nothing else can produce.
/// </remarks>
public sealed class TracingTests
{
    [Fact]
    public async Task AnInstanceIsATrace_NodesAreSpansUnderItsRoot_WithTheMcpCallAndTheExecBeneathThem()
    {
        var exported = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource([.. TaskFlowTracing.Sources]).AddInMemoryExporter(exported).Build();
        var settings = new Dictionary<string, string?>
        {
            ["TaskFlow:Workspaces:DefaultIsolation"] = "Process",
            ["TaskFlow:Workspaces:WarmPoolSize"] = "0",
        };
        McpTestServers.Configure(settings, "everything", McpTestServers.Everything());
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        McpTestServers.Configure(settings, "metaecho", new StdioLaunch("node", [Path.Combine(folder, "meta-echo-server.js")], new Dictionary<string, string>(), folder));
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
        await app.SaveAsync("""
            { "id": "traced", "nodes": [
                { "id": "echo", "type": "mcp.call", "tier": 2, "inputs": { "server": "everything", "tool": "echo", "arguments": { "message": "hello" } } },
                { "id": "meta", "type": "mcp.call", "inputs": { "server": "metaecho", "tool": "meta" } },
                { "id": "run", "type": "exec", "workspace": { "mode": "process" }, "inputs": { "command": ["sh", "-c", "echo traced"] } } ],
              "edges": [ { "from": "echo", "to": "meta" }, { "from": "meta", "to": "run" } ] }
            """);
        using var response = await app.Client.PostAsync("/api/definitions/traced/run?wait=true&timeout=90", TaskFlowApp.JsonBody("{}"));
        var view = (JsonObject)await TaskFlowApp.ReadAsync(response);
        Assert.True((string?)view["status"] == "Succeeded", view.ToJsonString());
        var traceId = (string?)view["traceId"];
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        tracer.ForceFlush();

        Activity[] spans;
        lock (exported)
        {
            spans = exported.Where(s => s.TraceId.ToHexString() == traceId).ToArray();
        }

        // The root: one per instance, with no parent.
        var root = Assert.Single(spans, s => s.DisplayName == "workflow traced");
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal((string?)view["id"], root.GetTagItem(EngineTracing.Tags.InstanceId));

        // A node span per node, under the root, saying what ran and how it ended.
        Activity Node(string id)
        {
            var node = Assert.Single(spans, s => s.DisplayName == $"node {id}");
            Assert.Equal(root.SpanId, node.ParentSpanId);
            Assert.Equal(id, node.GetTagItem(EngineTracing.Tags.NodeId));
            Assert.Equal(1, node.GetTagItem(EngineTracing.Tags.Attempt));
            Assert.Equal("succeeded", node.GetTagItem(EngineTracing.Tags.Outcome));
            return node;
        }

        var echo = Node("echo");
        Assert.Equal("mcp.call", echo.GetTagItem(EngineTracing.Tags.ActivityType));
        Assert.Equal(2, echo.GetTagItem(EngineTracing.Tags.Tier));
        var meta = Node("meta");
        var run = Node("run");
        Assert.Equal("exec", run.GetTagItem(EngineTracing.Tags.ActivityType));

        // The MCP call under its node: server, tool, transport, breaker state.
        var call = Assert.Single(spans, s => s.Source.Name == RoutingTracing.SourceName && s.ParentSpanId == echo.SpanId);
        Assert.Equal("tools/call echo", call.DisplayName);
        Assert.Equal(ActivityKind.Client, call.Kind);
        Assert.Equal("everything", call.GetTagItem(RoutingTracing.Tags.Server));
        Assert.Equal("echo", call.GetTagItem(RoutingTracing.Tags.Tool));
        Assert.Equal("stdio", call.GetTagItem(RoutingTracing.Tags.Transport));
        Assert.Equal("Closed", call.GetTagItem(RoutingTracing.Tags.Breaker));
        Assert.Equal(2, call.GetTagItem(RoutingTracing.Tags.Tier));

        // The server got the trace context in _meta: a span of this trace, under the meta node.
        var metaCall = Assert.Single(spans, s => s.Source.Name == RoutingTracing.SourceName && s.ParentSpanId == meta.SpanId);
        var received = JsonNode.Parse((string)view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "meta")!["output"]!["content"]![0]!["text"]!)!;
        var traceparent = (string?)received["traceparent"];
        Assert.NotNull(traceparent);
        Assert.True(ActivityContext.TryParse(traceparent, null, out var sent), traceparent);
        Assert.Equal(traceId, sent.TraceId.ToHexString());
        var sender = Assert.Single(spans, s => s.SpanId == sent.SpanId);
        Assert.True(sender == metaCall || sender.ParentSpanId == metaCall.SpanId, $"traceparent {traceparent} is from span '{sender.DisplayName}', not from the call");

        // The exec under its node: the mode and how the command ended.
        var exec = Assert.Single(spans, s => s.Source.Name == WorkspaceTracing.SourceName && s.ParentSpanId == run.SpanId);
        Assert.Equal("exec", exec.DisplayName);
        Assert.Equal("process", exec.GetTagItem(WorkspaceTracing.Tags.Mode));
        Assert.Equal(0, exec.GetTagItem(WorkspaceTracing.Tags.ExitCode));
    }

    [Fact]
    public async Task AFailedNode_IsAnErrorSpan_AndEachRetryIsASpanOfItsOwn()
    {
        var exported = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource([.. TaskFlowTracing.Sources]).AddInMemoryExporter(exported).Build();
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>
        {
            ["TaskFlow:Workspaces:DefaultIsolation"] = "Process",
            ["TaskFlow:Workspaces:WarmPoolSize"] = "0",
        });
        await app.SaveAsync("""
            { "id": "failing", "nodes": [ { "id": "boom", "type": "exec", "workspace": { "mode": "process" },
                "retry": { "maxAttempts": 2, "delay": "100ms" }, "inputs": { "command": ["sh", "-c", "exit 3"] } } ] }
            """);
        using var response = await app.Client.PostAsync("/api/definitions/failing/run?wait=true&timeout=60", TaskFlowApp.JsonBody("{}"));
        var view = (JsonObject)await TaskFlowApp.ReadAsync(response);
        Assert.Equal("Failed", (string?)view["status"]);
        tracer.ForceFlush();

        Activity[] spans;
        lock (exported)
        {
            spans = exported.Where(s => s.TraceId.ToHexString() == (string?)view["traceId"]).ToArray();
        }

        var attempts = spans.Where(s => s.DisplayName == "node boom").OrderBy(s => s.StartTimeUtc).ToArray();
        Assert.Equal([1, 2], attempts.Select(a => (int)a.GetTagItem(EngineTracing.Tags.Attempt)!));
        Assert.All(attempts, a =>
        {
            Assert.Equal(ActivityStatusCode.Error, a.Status);
            Assert.Contains("exit", a.StatusDescription, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("failed", a.GetTagItem(EngineTracing.Tags.Outcome));
            Assert.Equal(true, a.GetTagItem("taskflow.node.retryable"));

            var exec = Assert.Single(spans, s => s.Source.Name == WorkspaceTracing.SourceName && s.ParentSpanId == a.SpanId);
            Assert.Equal(3, exec.GetTagItem(WorkspaceTracing.Tags.ExitCode));
            Assert.Equal(ActivityStatusCode.Error, exec.Status);
        });
    }

    [Fact]
    public async Task WithOtlpSettings_TheServerExportsItsSpansToACollector_WithSecretsMasked()
    {
        const string secret = "otlp-secret-4c2f8e91a7d3b605";
        var bodies = new List<byte[]>();
        var (collector, collectorAddress) = await HttpForwarding.StartAsync(async context =>
        {
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy);
            if (context.Request.Path == "/v1/traces")
            {
                lock (bodies)
                {
                    bodies.Add(copy.ToArray());
                }
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await using var _ = collector;
        var (target, targetAddress) = await HttpForwarding.StartAsync(context => context.Response.WriteAsync("ok"));
        await using var __ = target;

        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collectorAddress.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_SERVICE_NAME"] = "taskflow-under-test",
            ["TaskFlow:Http:AllowLoopback"] = "true",
            ["TaskFlow:Secrets:Values:API_TOKEN"] = secret,
        });
        await app.SaveAsync($$$"""
            { "id": "exported", "nodes": [ { "id": "call", "type": "http.request",
                "inputs": { "url": "{{{targetAddress}}}items/{{ secrets.API_TOKEN }}", "headers": { "Authorization": "Bearer {{ secrets.API_TOKEN }}" } } } ] }
            """);
        using var response = await app.Client.PostAsync("/api/definitions/exported/run?wait=true&timeout=60", TaskFlowApp.JsonBody("{}"));
        var view = (JsonObject)await TaskFlowApp.ReadAsync(response);
        Assert.True((string?)view["status"] == "Succeeded", view.ToJsonString());
        var traceId = Convert.FromHexString((string)view["traceId"]!);

        // OTLP/protobuf carries strings as UTF-8 and ids as raw bytes: both can be found in the body.
        byte[] all = [];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!deadline.IsCancellationRequested)
        {
            lock (bodies)
            {
                all = bodies.SelectMany(b => b).ToArray();
            }

            if (Has(all, "node call") && Has(all, "workflow exported") && all.AsSpan().IndexOf(traceId) >= 0 && Has(all, "/items/"))
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.True(Has(all, "workflow exported"), "the instance's root span did not reach the collector");
        Assert.True(Has(all, "node call"), "the node's span did not reach the collector");
        Assert.True(all.AsSpan().IndexOf(traceId) >= 0, "no span of the instance's trace reached the collector");
        Assert.True(Has(all, "taskflow-under-test"), "the service name from OTEL_SERVICE_NAME is not on the spans");
        Assert.True(Has(all, "/items/"), "the HTTP request's span did not reach the collector");
        Assert.False(Has(all, secret), "a secret reached the collector");
        Assert.True(Has(all, "/items/***"), "the secret in the request's URL was not masked");
    }

    [Theory]
    [InlineData(null, null, null, "")]
    [InlineData("http://127.0.0.1:4318", null, null, "otlp")]
    [InlineData(null, "console", null, "console")]
    [InlineData("http://127.0.0.1:4318", "none", null, "")]
    [InlineData("http://127.0.0.1:4318", "otlp, console", null, "otlp,console")]
    [InlineData("http://127.0.0.1:4318", null, "true", "")]
    public void TracingIsOnOnlyWhenTheOtelSettingsAskForIt(string? endpoint, string? exporter, string? disabled, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_TRACES_EXPORTER"] = exporter,
            ["OTEL_SDK_DISABLED"] = disabled,
        }).Build();
        Assert.Equal(expected, string.Join(",", TaskFlowTracing.Exporters(configuration)));
    }

    [Fact]
    public void AnUnknownExporter_IsRefused_NamingIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_TRACES_EXPORTER"] = "otlp,zipkin" }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => TaskFlowTracing.Exporters(configuration));
        Assert.Contains("'zipkin'", error.Message, StringComparison.Ordinal);
    }

    private static bool Has(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
