using System.Diagnostics;

namespace TaskFlow.Engine.Diagnostics;

/// <summary>
/// The engine's spans, for OpenTelemetry (or any <see cref="ActivityListener"/>). An instance is a
/// trace: its root span (<c>workflow {definitionId}</c>) is written when it starts, and every node
/// attempt is a span under it (<c>node {nodeId}</c>), in whichever process runs the node, with
/// what the activity does inside (an MCP call, a workspace exec, an HTTP request) beneath that.
/// </summary>
/// <remarks>
/// With no listener on <see cref="SourceName"/> nothing is created and nothing is stored: the
/// cost of tracing when it is off is one <see cref="ActivitySource.HasListeners"/> check per node.
/// </remarks>
public static class EngineTracing
{
    public const string SourceName = "TaskFlow.Engine";

    /// <summary>Attribute names, in the <c>taskflow.</c> namespace.</summary>
    public static class Tags
    {
        public const string InstanceId = "taskflow.instance.id";
        public const string DefinitionId = "taskflow.definition.id";
        public const string DefinitionVersion = "taskflow.definition.version";
        public const string CorrelationId = "taskflow.correlation.id";
        public const string NodeId = "taskflow.node.id";
        public const string ActivityType = "taskflow.activity.type";
        public const string Attempt = "taskflow.node.attempt";
        public const string Resume = "taskflow.node.resume";
        public const string Tier = "taskflow.node.tier";
        public const string Outcome = "taskflow.node.outcome";

        /// <summary>True on the span of a pure step run inside the commit that made it due.</summary>
        public const string Inline = "taskflow.node.inline";
    }

    internal static ActivitySource Source { get; } = new(SourceName, typeof(EngineTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Whether anyone listens: spans are created and trace parents stored only then.</summary>
    public static bool Enabled => Source.HasListeners();

    /// <summary>
    /// Starts the root span of a new instance's trace. It is a new trace, not a child of the
    /// caller's span (an instance outlives the request that started it); the caller's span, when
    /// there is one, is linked. Null when tracing is off or the span is not sampled.
    /// </summary>
    internal static Activity? StartRoot(string definitionId, int? version, string? instanceId, ActivityContext link)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // A root has no parent: the ambient span is set aside while it starts, and put back by
        // the caller's async flow (Activity.Current is async-local).
        var ambient = Activity.Current;
        Activity.Current = null;
        var links = link == default ? null : new[] { new ActivityLink(link) };
        var span = Source.StartActivity(ActivityKind.Internal, parentContext: default, links: links, name: $"workflow {definitionId}");
        if (span is null)
        {
            Activity.Current = ambient;
            return null;
        }

        span.SetTag(Tags.DefinitionId, definitionId);
        if (version is { } v)
        {
            span.SetTag(Tags.DefinitionVersion, v);
        }

        if (instanceId is not null)
        {
            span.SetTag(Tags.InstanceId, instanceId);
        }

        return span;
    }

    /// <summary>Starts the span of one node attempt under the instance's root span.</summary>
    internal static Activity? StartNode(ActivityContext instance, string instanceId, string nodeId, int attempt, bool resume)
    {
        var span = Source.StartActivity(ActivityKind.Internal, parentContext: instance, name: $"node {nodeId}");
        if (span is null)
        {
            return null;
        }

        span.SetTag(Tags.InstanceId, instanceId);
        span.SetTag(Tags.NodeId, nodeId);
        span.SetTag(Tags.Attempt, attempt);
        if (resume)
        {
            span.SetTag(Tags.Resume, true);
        }

        return span;
    }
}
