using System.Diagnostics;

namespace TaskFlow.Routing.Diagnostics;

/// <summary>
/// The router's spans: one per call sent to an upstream server (a failover or a retry is a second
/// span), under whatever span is current (the node's, or the gateway request's), named as
/// OpenTelemetry's MCP conventions name a client call (<c>tools/call {tool}</c>). The call's W3C
/// trace context goes to the server in the request's <c>_meta</c> (<c>traceparent</c>,
/// <c>tracestate</c>), so a server that traces continues the same trace.
/// </summary>
public static class RoutingTracing
{
    public const string SourceName = "TaskFlow.Routing";

    /// <summary>Attribute names: OpenTelemetry's MCP and GenAI conventions where they have one, <c>taskflow.</c> otherwise.</summary>
    public static class Tags
    {
        public const string Method = "mcp.method.name";
        public const string Tool = "gen_ai.tool.name";
        public const string Server = "taskflow.mcp.server";
        public const string Transport = "taskflow.mcp.transport";
        public const string Tier = "taskflow.mcp.tier";
        public const string Breaker = "taskflow.mcp.breaker_state";
        public const string RequestedTool = "taskflow.mcp.requested_tool";
        public const string ErrorType = "error.type";
    }

    internal static ActivitySource Source { get; } = new(SourceName, typeof(RoutingTracing).Assembly.GetName().Version?.ToString());

    internal static Activity? StartCall(string server, string transport, CircuitBreaking.CircuitState breaker, int tier, string requested, string upstreamName)
    {
        var span = Source.StartActivity($"tools/call {upstreamName}", ActivityKind.Client);
        if (span is null)
        {
            return null;
        }

        span.SetTag(Tags.Method, "tools/call");
        span.SetTag(Tags.Tool, upstreamName);
        span.SetTag(Tags.Server, server);
        span.SetTag(Tags.Transport, transport);
        span.SetTag(Tags.Tier, tier);
        span.SetTag(Tags.Breaker, breaker.ToString());
        if (!string.Equals(requested, upstreamName, StringComparison.Ordinal))
        {
            span.SetTag(Tags.RequestedTool, requested);
        }

        return span;
    }

    /// <summary>Marks the span failed.</summary>
    internal static void Failed(Activity? span, Exception exception)
    {
        span?.SetStatus(ActivityStatusCode.Error, exception.Message);
        span?.SetTag(Tags.ErrorType, exception.GetType().Name);
    }

    /// <summary>
    /// A request's <c>_meta</c> with the current span's W3C context added (<paramref name="meta"/>
    /// itself, or a new object); <paramref name="meta"/> unchanged when no span is being recorded.
    /// </summary>
    internal static System.Text.Json.Nodes.JsonObject? Inject(System.Text.Json.Nodes.JsonObject? meta)
    {
        if (Activity.Current is not { Recorded: true, IdFormat: ActivityIdFormat.W3C } current)
        {
            return meta;
        }

        meta ??= [];
        meta["traceparent"] = current.Id;
        if (!string.IsNullOrEmpty(current.TraceStateString))
        {
            meta["tracestate"] = current.TraceStateString;
        }

        return meta;
    }
}
