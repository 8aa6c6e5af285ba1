using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Events;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Events;

/// <summary>
/// Waits for an external event. The first execution parks the node with its subscription (and a
/// timer when it has a timeout); an event or the resume token queues the resume that completes
/// it with the event's payload. The timer, when it fires, completes it by the timeout port only
/// if it takes the subscription before an event does.
/// </summary>
internal sealed class EventActivity(EngineStore store) : IActivity
{
    public async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.IsResume)
        {
            return await ResumeAsync(context);
        }

        var name = context.Inputs["name"]?.ToString();
        if (string.IsNullOrWhiteSpace(name))
        {
            return ActivityResult.Failed("'name' is empty: an event node needs the name of the event it waits for.", retryable: false);
        }

        var correlation = context.Inputs["correlation"] is JsonNode c && c.ToString() is { Length: > 0 } text ? text : null;
        DateTimeOffset? timeoutAt = null;
        if (context.Inputs["timeout"] is JsonNode timeout)
        {
            if (!Duration.TryParse(timeout.ToString(), out var duration) || duration <= TimeSpan.Zero)
            {
                return ActivityResult.Failed($"'timeout' is '{timeout}', which is not a positive duration (e.g. 30m, 2d).", retryable: false);
            }

            timeoutAt = context.Time.GetUtcNow() + duration;
        }

        TimeSpan? earlier = null;
        if (context.Inputs["earlier"] is JsonNode earlierText)
        {
            if (!Duration.TryParse(earlierText.ToString(), out var window) || window <= TimeSpan.Zero)
            {
                return ActivityResult.Failed($"'earlier' is '{earlierText}', which is not a positive duration (e.g. 10m).", retryable: false);
            }

            earlier = window;
        }

        return ActivityResult.WaitForEvent(new EventWait(name, correlation, NewToken(), earlier), timeoutAt);
    }

    private async ValueTask<ActivityResult> ResumeAsync(ActivityContext context)
    {
        if (context.ResumePayload is JsonObject delivered)
        {
            return ActivityResult.Succeeded(delivered["payload"]?.DeepClone());
        }

        // No payload: the timer. It ends the wait only if it takes the subscription first; else an
        // event's resume is already queued, and the node keeps waiting for it.
        return await store.TakeWaitForTimeoutAsync(context.InstanceId, context.NodeId, context.Attempt, context.CancellationToken)
            ? ActivityResult.Succeeded(new JsonObject { ["timedOut"] = true }, BuiltInActivities.TimeoutOutcome)
            : ActivityResult.Suspend(null);
    }

    /// <summary>256 random bits, URL-safe: the token is a capability, so it must not be guessable.</summary>
    private static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
