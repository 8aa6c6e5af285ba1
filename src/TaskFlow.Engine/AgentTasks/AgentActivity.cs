using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Events;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.AgentTasks;

/// <summary>
/// Hands a task to whichever agent takes it. The first execution parks the node with the task
/// (title, description, capability, input, correlation, lease) stored beside the wait; an agent
/// claims it under a lease, renews it, and completes or fails it through the API, which resumes the
/// node; the timer, if it takes the task first, leaves by the timeout port.
/// </summary>
internal sealed class AgentActivity(EngineStore store) : IActivity
{
    /// <summary>How long a claim lasts unless renewed, when the node does not say.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromMinutes(5);

    public async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.IsResume)
        {
            return await ResumeAsync(context);
        }

        var title = context.Inputs["title"]?.ToString();
        if (string.IsNullOrWhiteSpace(title))
        {
            return ActivityResult.Failed("'title' is empty: an agent task needs to say what is to be done.", retryable: false);
        }

        var lease = DefaultLease;
        if (context.Inputs["lease"] is JsonNode leaseInput && (!Duration.TryParse(leaseInput.ToString(), out lease) || lease <= TimeSpan.Zero))
        {
            return ActivityResult.Failed($"'lease' is '{leaseInput}', which is not a positive duration (e.g. 5m).", retryable: false);
        }

        if (context.Inputs["correlation"] is JsonNode correlation and not JsonObject)
        {
            return ActivityResult.Failed($"'correlation' must be an object of plain keys, such as {{ \"session\": \"s-1\", \"subtask\": \"test\" }}; it is {correlation.ToJsonString()}.", retryable: false);
        }

        DateTimeOffset? timeoutAt = null;
        if (context.Inputs["timeout"] is JsonNode timeout)
        {
            if (!Duration.TryParse(timeout.ToString(), out var duration) || duration <= TimeSpan.Zero)
            {
                return ActivityResult.Failed($"'timeout' is '{timeout}', which is not a positive duration (e.g. 1d).", retryable: false);
            }

            timeoutAt = context.Time.GetUtcNow() + duration;
        }

        var details = new JsonObject
        {
            ["title"] = title,
            ["description"] = context.Inputs["description"]?.ToString(),
            ["capability"] = context.Inputs["capability"]?.ToString(),
            ["input"] = context.Inputs["input"]?.DeepClone(),
            ["correlation"] = context.Inputs["correlation"]?.DeepClone(),
            ["leaseMs"] = (long)lease.TotalMilliseconds,
            ["timeoutAt"] = timeoutAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        return ActivityResult.WaitForEvent(new EventWait(BuiltInActivities.Agent, null, NewId(), Kind: WaitKind.Agent, Details: details), timeoutAt);
    }

    private async ValueTask<ActivityResult> ResumeAsync(ActivityContext context)
    {
        if (context.ResumePayload is JsonObject { } payload && payload["agent"] is JsonObject answer)
        {
            var by = answer["by"]?.ToString();
            return answer["status"]?.ToString() == "completed"
                ? ActivityResult.Succeeded(answer["output"]?.DeepClone())
                : ActivityResult.Failed($"The agent task failed ({by}): {ErrorText(answer["error"])}", retryable: false);
        }

        if (!await store.TakeWaitForTimeoutAsync(context.InstanceId, context.NodeId, context.Attempt, context.CancellationToken))
        {
            // An agent finished it first; its resume is queued.
            return ActivityResult.Suspend(null);
        }

        return ActivityResult.Succeeded(new JsonObject { ["timedOut"] = true }, BuiltInActivities.TimeoutOutcome);
    }

    private static string ErrorText(JsonNode? error) => error switch
    {
        null => "no error was given",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => error.ToJsonString(),
    };

    private static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
