using System.Globalization;
using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using Microsoft.Extensions.Logging;
using TaskFlow.Core.Model;

namespace TaskFlow.Engine.Activities;

// The built-in activities. Their descriptors come from TaskFlow.Core (BuiltInActivities), because
// validation and the scheduling rules know what they mean; these classes only do the run-time part.

internal sealed class NoopActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Succeeded());
}

/// <summary>A join does its work in the scheduler (which branches arrived); executing it only passes on.</summary>
internal sealed class JoinActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Succeeded());
}

internal sealed class FailActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Failed(context.Inputs["message"]?.ToString() ?? "Failed by a fail activity.", retryable: false));
}

/// <summary>Occupies a worker for a while: simulated work, and a way to exercise timeouts and leases.</summary>
internal sealed class SleepActivity : IActivity
{
    public async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (!Duration.TryParse(context.Inputs["duration"]?.ToString(), out var duration))
        {
            return ActivityResult.Failed($"'duration' is '{context.Inputs["duration"]}', which is not a duration (e.g. 250ms).", retryable: false);
        }

        await Task.Delay(duration, context.Time, context.CancellationToken);
        return ActivityResult.Succeeded();
    }
}

internal sealed class TransformActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Succeeded(context.Inputs["value"]?.DeepClone()));
}

/// <summary>
/// The script was evaluated by the engine while rendering the inputs (it is <c>{ "js": script }</c>
/// there, see JavaScriptActivityInputs), with the instance's scope; its value is the output, and its
/// variable writes travel with the result.
/// </summary>
internal sealed class JavaScriptActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Succeeded(context.Inputs[Core.Scripting.JavaScriptActivityInputs.Script]?.DeepClone()));
}

/// <summary>Outputs the variable's new value; the scheduler stores it in the instance's variables when the node succeeds.</summary>
internal sealed class SetVariableActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var name = context.Inputs["name"]?.ToString();
        return string.IsNullOrWhiteSpace(name)
            ? ValueTask.FromResult(ActivityResult.Failed("'name' is empty.", retryable: false))
            : ValueTask.FromResult(ActivityResult.Succeeded(new JsonObject { ["name"] = name, ["value"] = context.Inputs["value"]?.DeepClone() }));
    }
}

internal sealed partial class LogActivity(ILogger<LogActivity> logger) : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var message = context.Inputs["message"]?.ToString() ?? "";
        Written(logger, context.InstanceId, context.NodeId, message);
        return ValueTask.FromResult(ActivityResult.Succeeded(new JsonObject { ["message"] = message }));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {InstanceId} node {NodeId}: {Message}")]
    private static partial void Written(ILogger logger, string instanceId, string nodeId, string message);
}

/// <summary>A durable timer: the first execution parks the node with a due time stored in the queue; the resume completes it.</summary>
internal sealed class DelayActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.IsResume)
        {
            return ValueTask.FromResult(ActivityResult.Succeeded(new JsonObject { ["firedAt"] = context.Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) }));
        }

        DateTimeOffset due;
        if (context.Inputs["until"] is JsonNode until)
        {
            if (!DateTimeOffset.TryParse(until.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out due))
            {
                return ValueTask.FromResult(ActivityResult.Failed($"'until' is '{until}', which is not an ISO 8601 time.", retryable: false));
            }
        }
        else if (Duration.TryParse(context.Inputs["duration"]?.ToString(), out var duration))
        {
            due = context.Time.GetUtcNow() + duration;
        }
        else
        {
            return ValueTask.FromResult(ActivityResult.Failed($"'duration' is '{context.Inputs["duration"]}', which is not a duration (e.g. 30s, 5m).", retryable: false));
        }

        return ValueTask.FromResult(ActivityResult.Suspend(due));
    }
}

internal sealed class ForEachActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.Inputs["items"] is not JsonArray items)
        {
            return ValueTask.FromResult(ActivityResult.Failed($"'items' must be a list, but it is {Describe(context.Inputs["items"])}.", retryable: false));
        }

        var parallelism = context.Inputs["maxParallelism"] is JsonValue v && v.TryGetValue<int>(out var p) ? p : 10;
        // The body is not rendered here: each iteration renders it with its own item and index.
        return ValueTask.FromResult(ActivityResult.ForEach(items, parallelism, []));
    }

    private static string Describe(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();
}

/// <summary>Starts a child instance (in the same transaction as this node's wait) and completes from the child's outcome.</summary>
internal sealed class WorkflowActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.IsResume)
        {
            var payload = context.ResumePayload as JsonObject;
            var status = payload?["status"]?.ToString();
            return ValueTask.FromResult(status == nameof(InstanceStatus.Succeeded)
                ? ActivityResult.Succeeded(payload?["output"]?.DeepClone())
                : ActivityResult.Failed($"Child workflow instance {payload?["instanceId"]} {status?.ToLowerInvariant() ?? "ended"}: {payload?["error"]}", retryable: false));
        }

        var definitionId = context.Inputs["definitionId"]?.ToString();
        if (string.IsNullOrWhiteSpace(definitionId))
        {
            return ValueTask.FromResult(ActivityResult.Failed("'definitionId' is empty.", retryable: false));
        }

        int? version = context.Inputs["version"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : null;
        var wait = context.Inputs["wait"] switch
        {
            null => true,
            JsonValue w when w.TryGetValue<bool>(out var flag) => flag,
            JsonValue w when w.TryGetValue<string>(out var text) && bool.TryParse(text, out var parsed) => parsed,
            _ => (bool?)null,
        };
        if (wait is null)
        {
            return ValueTask.FromResult(ActivityResult.Failed($"'wait' is {context.Inputs["wait"]?.ToJsonString()}; use true or false.", retryable: false));
        }

        var correlation = context.Inputs["correlationId"]?.ToString();
        if (correlation is { Length: 0 or > Instances.InstanceFilter.CorrelationIdMaxLength })
        {
            return ValueTask.FromResult(ActivityResult.Failed($"'correlationId' must have 1 to {Instances.InstanceFilter.CorrelationIdMaxLength} characters.", retryable: false));
        }

        return ValueTask.FromResult(ActivityResult.StartChild(definitionId, version, context.Inputs["input"] as JsonObject ?? [], wait.Value, correlation));
    }
}
