using System.Text.Json.Nodes;
using TaskFlow.Core.Events;

namespace TaskFlow.Core.Activities;

/// <summary>
/// What one execution of an activity came to. Expected outcomes, failures included, are values,
/// not exceptions: the scheduler turns them into state transitions.
/// </summary>
public abstract record ActivityResult
{
    public static ActivityResult Succeeded(JsonNode? output = null, params string[] outcomes) =>
        new SucceededResult(output, outcomes.Length == 0 ? [ActivityDescriptor.DefaultOutcome] : outcomes);

    /// <summary>A failed attempt; retried per the node's policy when <paramref name="retryable"/>.</summary>
    public static ActivityResult Failed(string error, bool retryable = true) => new FailedResult(error, retryable);

    /// <summary>Parks the node until <paramref name="resumeAt"/>, or until something resumes it.</summary>
    public static ActivityResult Suspend(DateTimeOffset? resumeAt) => new SuspendedResult(resumeAt);

    /// <summary>
    /// Parks the node until an event matching <paramref name="wait"/> arrives (stored in the same
    /// transaction as the node's state), or until <paramref name="timeoutAt"/> when given.
    /// </summary>
    public static ActivityResult WaitForEvent(EventWait wait, DateTimeOffset? timeoutAt) => new SuspendedResult(timeoutAt, wait);

    /// <summary>
    /// Starts a child instance; with <paramref name="wait"/> the node waits for it and its output is the
    /// child's, without it the node succeeds at once with <c>{ instanceId }</c> and the child runs on its own.
    /// </summary>
    public static ActivityResult StartChild(string definitionId, int? version, JsonObject input, bool wait = true, string? correlationId = null) =>
        new StartChildResult(definitionId, version, input, wait) { CorrelationId = correlationId };

    public static ActivityResult ForEach(JsonArray items, int maxParallelism, JsonObject body) =>
        new ForEachResult(items, maxParallelism, body);
}

public sealed record SucceededResult(JsonNode? Output, IReadOnlyList<string> Outcomes) : ActivityResult
{
    /// <summary>
    /// Instance variables to write when the node succeeds (name to value), as the <c>setVariable</c>
    /// activity does: what JavaScript in the node's inputs wrote with <c>setVariable</c>.
    /// </summary>
    public JsonObject? VariableWrites { get; init; }
}

public sealed record FailedResult(string Error, bool Retryable) : ActivityResult;

/// <param name="Wait">Set when the node waits for an event; null for a timer or a plain resume.</param>
public sealed record SuspendedResult(DateTimeOffset? ResumeAt, EventWait? Wait = null) : ActivityResult;

/// <param name="Wait">False: the child is dispatched (started without a link back) and the node succeeds at once.</param>
public sealed record StartChildResult(string DefinitionId, int? Version, JsonObject Input, bool Wait = true) : ActivityResult
{
    /// <summary>The child's correlation id; null: the parent's.</summary>
    public string? CorrelationId { get; init; }
}

public sealed record ForEachResult(JsonArray Items, int MaxParallelism, JsonObject Body) : ActivityResult;
