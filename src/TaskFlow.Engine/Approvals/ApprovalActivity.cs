using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Events;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Approvals;

/// <summary>
/// Asks people for a decision. The first execution parks the node with its approval (title,
/// options, assignees...) stored beside the wait; a decision through the API resumes it by the
/// chosen option's port; the timer, if it takes the approval first, by the default outcome.
/// </summary>
internal sealed class ApprovalActivity(EngineStore store) : IActivity
{
    public async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.IsResume)
        {
            return await ResumeAsync(context);
        }

        var title = context.Inputs["title"]?.ToString();
        if (string.IsNullOrWhiteSpace(title))
        {
            return ActivityResult.Failed("'title' is empty: an approval needs to say what is to be decided.", retryable: false);
        }

        var options = context.Inputs["options"] switch
        {
            null => [.. BuiltInActivities.DefaultApprovalOptions],
            JsonArray list when list.All(o => o is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0) => list.Select(o => o!.GetValue<string>()).ToArray(),
            _ => null as string[],
        };
        if (options is not { Length: > 0 } || options.Distinct(StringComparer.Ordinal).Count() != options.Length || options.Contains(BuiltInActivities.TimeoutOutcome))
        {
            return ActivityResult.Failed($"'options' must be a list of distinct, non-empty names other than 'timeout'; it is {context.Inputs["options"]?.ToJsonString()}.", retryable: false);
        }

        var defaultOutcome = context.Inputs["defaultOutcome"]?.ToString();
        if (defaultOutcome is not null && !options.Contains(defaultOutcome))
        {
            return ActivityResult.Failed($"'defaultOutcome' is '{defaultOutcome}', which is not one of the options ({string.Join(", ", options)}).", retryable: false);
        }

        DateTimeOffset? timeoutAt = null;
        if (context.Inputs["timeout"] is JsonNode timeout)
        {
            if (!Duration.TryParse(timeout.ToString(), out var duration) || duration <= TimeSpan.Zero)
            {
                return ActivityResult.Failed($"'timeout' is '{timeout}', which is not a positive duration (e.g. 3d).", retryable: false);
            }

            timeoutAt = context.Time.GetUtcNow() + duration;
        }

        var assignees = context.Inputs["assignees"] switch
        {
            JsonArray list => new JsonArray(list.Select(a => (JsonNode?)JsonValue.Create(a?.ToString())).ToArray()),
            JsonValue one => [one.ToString()],
            _ => [],
        };
        var details = new JsonObject
        {
            ["title"] = title,
            ["description"] = context.Inputs["description"]?.ToString(),
            ["assignees"] = assignees,
            ["group"] = context.Inputs["group"]?.ToString(),
            ["options"] = new JsonArray(options.Select(o => (JsonNode?)JsonValue.Create(o)).ToArray()),
            ["form"] = context.Inputs["form"]?.DeepClone(),
            ["defaultOutcome"] = defaultOutcome,
            ["timeoutAt"] = timeoutAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        return ActivityResult.WaitForEvent(new EventWait(BuiltInActivities.Approval, null, NewId(), Kind: WaitKind.Approval, Details: details), timeoutAt);
    }

    private async ValueTask<ActivityResult> ResumeAsync(ActivityContext context)
    {
        if (context.ResumePayload is JsonObject { } payload && payload["decision"] is JsonObject decision)
        {
            return ActivityResult.Succeeded(decision.DeepClone(), decision["decision"]!.GetValue<string>());
        }

        if (!await store.TakeWaitForTimeoutAsync(context.InstanceId, context.NodeId, context.Attempt, context.CancellationToken))
        {
            // A decision took it first; its resume is queued.
            return ActivityResult.Suspend(null);
        }

        var fallback = context.Inputs["defaultOutcome"]?.ToString();
        return ActivityResult.Succeeded(
            new JsonObject { ["decision"] = fallback, ["timedOut"] = true, ["decidedAt"] = context.Time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
            fallback ?? BuiltInActivities.TimeoutOutcome);
    }

    private static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
