using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Templates;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Dispatch;

/// <summary>
/// Runs one claimed work item: finds its node, renders its inputs, resolves the activity and
/// turns whatever happens (exceptions and timeouts included) into an <see cref="ActivityResult"/>.
/// </summary>
/// <remarks>
/// Everything logged while a node runs, by the engine or by the activity and the services it
/// calls, carries the node's <c>InstanceId</c>, <c>NodeId</c> and <c>Attempt</c> as a logging
/// scope, so a JSON console log (or any structured sink) can be filtered by instance and node.
/// </remarks>
public sealed partial class ActivityExecutor(
    EngineStore store,
    GraphCache graphs,
    ActivityCatalog catalog,
    IServiceScopeFactory scopes,
    WorkflowLimits limits,
    TimeProvider time,
    Diagnostics.EngineMetrics metrics,
    Secrets.SecretStore secrets,
    Diagnostics.InstanceTraces traces,
    ILogger<ActivityExecutor> logger)
{
    public async Task<ActivityResult> ExecuteAsync(ClaimedWork work, CancellationToken cancellationToken)
    {
        using var logScope = logger.BeginScope(new NodeLogScope(work.InstanceId, work.NodeId, work.Attempt));
        // Started here, not in an async helper: the span must stay current for the activity's own spans.
        using var span = Diagnostics.EngineTracing.Enabled
            ? Diagnostics.EngineTracing.StartNode(await traces.GetAsync(work.InstanceId, cancellationToken), work.InstanceId, work.NodeId, work.Attempt, work.Resume)
            : null;
        var result = await RunAsync(work, span, null, null, cancellationToken);
        return Finish(work, span, result);
    }

    /// <summary>
    /// Runs a pure step inside the commit that made it due (see <see cref="InlineStepRunner"/>): as
    /// <see cref="ExecuteAsync"/> does, with the same logging scope, span, metrics and secret
    /// redaction, but with the graph and the template scope the commit holds, reading no database.
    /// Only a success or a failure comes back.
    /// </summary>
    internal async ValueTask<ActivityResult> ExecuteInlineAsync(WorkflowGraph graph, ClaimedWork work, InstanceScope? scope, CancellationToken cancellationToken)
    {
        using var logScope = logger.BeginScope(new NodeLogScope(work.InstanceId, work.NodeId, work.Attempt));
        using var span = Diagnostics.EngineTracing.Enabled && traces.TryGetKnown(work.InstanceId, out var parent)
            ? Diagnostics.EngineTracing.StartNode(parent, work.InstanceId, work.NodeId, work.Attempt, resume: false)
            : null;
        span?.SetTag(Diagnostics.EngineTracing.Tags.Inline, true);
        var result = await RunAsync(work, span, graph, scope, cancellationToken);
        if (result is not (SucceededResult or FailedResult))
        {
            result = ActivityResult.Failed($"Activity type '{graph[work.NodeId].Type}' is declared pure but returned {result.GetType().Name.Replace("Result", "", StringComparison.Ordinal).ToLowerInvariant()}; a pure activity only succeeds or fails.", retryable: false);
        }

        return Finish(work, span, result);
    }

    private ActivityResult Finish(ClaimedWork work, System.Diagnostics.Activity? span, ActivityResult result)
    {
        if (result is FailedResult failed)
        {
            NodeFailed(logger, work.InstanceId, work.NodeId, work.Attempt, failed.Retryable, failed.Error);
        }

        if (span is not null)
        {
            Describe(span, result);
        }

        return result;
    }

    private static void Describe(System.Diagnostics.Activity span, ActivityResult result)
    {
        span.SetTag(Diagnostics.EngineTracing.Tags.Outcome, result switch
        {
            SucceededResult => "succeeded",
            FailedResult => "failed",
            StartChildResult => "child",
            ForEachResult => "foreach",
            _ => "waiting",
        });
        if (result is FailedResult failed)
        {
            // The error is already cleared of secrets (Redact below).
            span.SetStatus(System.Diagnostics.ActivityStatusCode.Error, failed.Error);
            span.SetTag("taskflow.node.retryable", failed.Retryable);
        }
    }

    /// <param name="knownGraph">The graph, when the caller holds it.</param>
    /// <param name="knownScope">The template scope, when the caller holds it (a step run inline); read from the store otherwise.</param>
    private async Task<ActivityResult> RunAsync(ClaimedWork work, System.Diagnostics.Activity? span, WorkflowGraph? knownGraph, InstanceScope? knownScope, CancellationToken cancellationToken)
    {
        WorkflowGraph graph;
        try
        {
            graph = knownGraph ?? await graphs.GetAsync(store, null, work.DefinitionId, work.DefinitionVersion, cancellationToken);
        }
        catch (WorkflowNotFoundException ex)
        {
            return ActivityResult.Failed(ex.Message, retryable: false);
        }

        var isIteration = NodeState.TryParseIteration(work.NodeId, out var parentId, out _);
        if (!graph.TryGetNode(isIteration ? parentId : work.NodeId, out var node))
        {
            return ActivityResult.Failed($"Node '{work.NodeId}' is not in workflow '{graph.Id}' version {graph.Version}.", retryable: false);
        }

        var (type, inputs) = isIteration ? (node.BodyType ?? "", node.BodyInputs!) : (node.Type, node.Inputs);
        span?.SetTag(Diagnostics.EngineTracing.Tags.ActivityType, type);
        span?.SetTag(Diagnostics.EngineTracing.Tags.Tier, node.Tier);

        if (!catalog.TryGet(type, out var registration))
        {
            return ActivityResult.Failed($"Activity type '{type}' is not registered in this process.", retryable: false);
        }

        var payload = work.Payload is null ? null : JsonNode.Parse(work.Payload);
        JsonObject rendered;

        // Whatever the activity returns is cleared of every secret value: its inputs may hold one,
        // and so may what it reached (an MCP server given a secret in its environment).
        var masked = secrets.CurrentMaskable();
        var depth = 0;
        var effects = new Core.Scripting.ScriptEffects();
        var needsScope = !inputs.IsConstant || type == BuiltInActivities.Workflow;
        if (needsScope)
        {
            var referenced = inputs.ReferencedNodeIds.Where(id => graph.TryGetNode(id, out _)).ToArray();
            var scope = knownScope ?? await store.LoadScopeAsync(work.InstanceId, referenced, cancellationToken);
            if (scope is null)
            {
                return ActivityResult.Failed($"Instance {work.InstanceId} no longer exists.", retryable: false);
            }

            depth = scope.Depth;
            var built = BuildScope(work, scope, isIteration ? payload : null);
            if (inputs.ReferencedRoots.Contains("secrets"))
            {
                // A secret that is not set would render as null, and the node would run with an
                // empty header or password: it fails instead, naming the secret (never its value).
                var current = secrets.Current();
                if (inputs.ReferencedSecrets.FirstOrDefault(name => !current.ContainsKey(name)) is { } missing)
                {
                    return ActivityResult.Failed($"Inputs could not be rendered: secret '{missing}' is not set (TaskFlow:Secrets:Values:{missing}, or a file named {missing} in TaskFlow:Secrets:Directory).", retryable: false);
                }

                built["secrets"] = Secrets.SecretStore.ToScope(current);
            }

            try
            {
                rendered = inputs.Render(built, effects) as JsonObject ?? [];
            }
            catch (TemplateEvaluationException ex)
            {
                return ActivityResult.Failed($"Inputs could not be rendered: {Secrets.SecretStore.Redact(ex.Message, masked)}", retryable: false);
            }
        }
        else
        {
            rendered = inputs.Render(EmptyScope) as JsonObject ?? [];
        }

        using var timeout = node.Timeout is { } limit ? new CancellationTokenSource(limit, time) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked?.Token ?? cancellationToken;
        await using var services = scopes.CreateAsyncScope();
        var context = new ActivityContext
        {
            InstanceId = work.InstanceId,
            NodeId = work.NodeId,
            Attempt = work.Attempt,
            Inputs = rendered,
            Depth = depth,
            IsResume = work.Resume,
            Tier = node.Tier,
            Workspace = node.Definition.Workspace,
            ResumePayload = work.Resume ? payload : null,
            Services = services.ServiceProvider,
            Time = time,
            CancellationToken = token,
        };

        ActivityResult result;
        var started = time.GetTimestamp();
        try
        {
            var activity = (IActivity)services.ServiceProvider.GetRequiredService(registration.Implementation);
            result = Redact(await activity.ExecuteAsync(context), masked);
            metrics.RecordActivity(type, result switch { FailedResult => "failed", SucceededResult => "succeeded", _ => "waiting" }, time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            return ActivityResult.Failed($"Timed out after {node.Timeout!.Value.TotalSeconds:0.###}s.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ActivityResult.Failed($"{ex.GetType().Name}: {Secrets.SecretStore.Redact(ex.Message, masked)}");
        }

        // Variables JavaScript in the inputs wrote (setVariable) are stored only if the node succeeds.
        if (result is SucceededResult succeededResult && !effects.IsEmpty)
        {
            result = succeededResult with { VariableWrites = (JsonObject?)Secrets.SecretStore.Redact(effects.VariablesObject(), masked) };
        }

        return result is StartChildResult child ? await CheckChildAsync(child, depth, cancellationToken) : result;
    }

    private async Task<ActivityResult> CheckChildAsync(StartChildResult child, int depth, CancellationToken cancellationToken)
    {
        if (depth + 1 > limits.MaxDepth)
        {
            return ActivityResult.Failed($"Starting '{child.DefinitionId}' would nest workflows {depth + 1} levels deep, more than max_depth ({limits.MaxDepth}).", retryable: false);
        }

        try
        {
            var graph = await graphs.GetAsync(store, null, child.DefinitionId, child.Version, cancellationToken);

            // A child gets the same input checks and defaults as an instance started by hand.
            return child with { Input = Runtime.InputBinder.Bind(graph.Definition, child.Input) };
        }
        catch (WorkflowNotFoundException ex)
        {
            return ActivityResult.Failed(ex.Message, retryable: false);
        }
        catch (Runtime.WorkflowInputException ex)
        {
            return ActivityResult.Failed($"Child workflow '{child.DefinitionId}': {ex.Message}", retryable: false);
        }
    }

    private static readonly JsonObject EmptyScope = [];

    /// <summary>The result with every secret value the inputs could hold replaced, in what is kept: output, error, a child's input, foreach items.</summary>
    private static ActivityResult Redact(ActivityResult result, string[] masked) => masked.Length == 0 ? result : result switch
    {
        SucceededResult succeeded => succeeded with { Output = Secrets.SecretStore.Redact(succeeded.Output, masked) },
        FailedResult failed => failed with { Error = Secrets.SecretStore.Redact(failed.Error, masked)! },
        StartChildResult child => child with { Input = (JsonObject)Secrets.SecretStore.Redact(child.Input, masked)! },
        ForEachResult each => each with { Items = (JsonArray)Secrets.SecretStore.Redact(each.Items, masked)! },
        _ => result,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {InstanceId} node {NodeId} attempt {Attempt} failed (retryable: {Retryable}): {Error}")]
    private static partial void NodeFailed(ILogger logger, string instanceId, string nodeId, int attempt, bool retryable, string error);

    private static JsonObject BuildScope(ClaimedWork work, InstanceScope scope, JsonNode? iteration)
    {
        var nodes = new JsonObject();
        foreach (var state in scope.Nodes)
        {
            nodes[state.NodeId] = new JsonObject
            {
                ["output"] = state.Output is null ? null : JsonNode.Parse(state.Output),
                ["status"] = ((TaskFlow.Core.Model.NodeStatus)state.Status).ToString(),
                ["error"] = state.Error,
                ["finishedAt"] = state.FinishedAt is { } finished
                    ? DateTimeOffset.FromUnixTimeMilliseconds(finished).ToString("O", System.Globalization.CultureInfo.InvariantCulture)
                    : null,
            };
        }

        var result = new JsonObject
        {
            ["input"] = scope.Input,
            ["vars"] = scope.Variables,
            ["nodes"] = nodes,
            ["instance"] = new JsonObject { ["id"] = work.InstanceId, ["depth"] = scope.Depth, ["correlationId"] = scope.CorrelationId },
            ["attempt"] = work.Attempt,
        };
        if (iteration is JsonObject it)
        {
            result["item"] = it["item"]?.DeepClone();
            result["index"] = it["index"]?.DeepClone();
        }

        return result;
    }
}
