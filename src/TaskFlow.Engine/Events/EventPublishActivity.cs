using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Engine.Activities;

namespace TaskFlow.Engine.Events;

/// <summary>
/// Sends an event from a workflow, as <c>POST /api/events/{name}</c> does: it resumes the nodes
/// waiting for it, in any instance (or in one), each exactly once. Publishing is a side effect: a
/// retried node publishes again, and resumes whatever waits by then.
/// </summary>
[Activity(Type, Category = "Control flow", Description = "Publishes an event, as POST /api/events/{name} does: every node waiting for it (with its correlation, in any instance or the one named) resumes with the payload. Matching nothing, it is kept when a published definition takes earlier events of the name, else dropped; neither fails the node. Output: { event, resumed: [ { instanceId, nodeId } ], keptUntil, dropped }.")]
internal sealed class EventPublishActivity(EventPublisher publisher) : Activity<EventPublishInputs>
{
    public const string Type = "event.publish";

    protected override async ValueTask<ActivityResult> ExecuteAsync(EventPublishInputs inputs, ActivityContext context)
    {
        if (string.IsNullOrWhiteSpace(inputs.Name))
        {
            return ActivityResult.Failed("'name' is empty: event.publish needs the name of the event to send.", retryable: false);
        }

        if (EventNames.Problem(inputs.Name) is { } problem)
        {
            return ActivityResult.Failed(problem, retryable: false);
        }

        var published = await publisher.PublishAsync(inputs.Name, NonEmpty(inputs.Correlation), NonEmpty(inputs.InstanceId), inputs.Payload?.DeepClone(), context.CancellationToken);
        var resumed = new JsonArray();
        foreach (var wait in published.Resumed)
        {
            resumed.Add(new JsonObject { ["instanceId"] = wait.InstanceId, ["nodeId"] = wait.NodeId });
        }

        return ActivityResult.Succeeded(new JsonObject
        {
            ["event"] = published.Name,
            ["resumed"] = resumed,
            ["keptUntil"] = published.KeptUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["dropped"] = published.Dropped,
        });
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
