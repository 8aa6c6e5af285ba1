using System.Text.Json.Nodes;

namespace TaskFlow.Core.Activities;

/// <summary>
/// The control-flow activity types whose meaning the scheduler itself implements. Their
/// descriptors live here so that validation and scheduling need no runtime.
/// </summary>
public static class BuiltInActivities
{
    public const string Noop = "noop";
    public const string Fail = "fail";
    public const string Delay = "delay";
    public const string Join = "join";
    public const string ForEach = "foreach";
    public const string Workflow = "workflow";
    public const string Transform = "transform";
    public const string Sleep = "sleep";
    public const string SetVariable = "setVariable";
    public const string Log = "log";
    public const string Event = "event";
    public const string Approval = "approval";
    public const string Agent = "agent";
    public const string JavaScript = "javascript";

    /// <summary>An approval's options (and so its outcome ports) when it lists none.</summary>
    public static IReadOnlyList<string> DefaultApprovalOptions { get; } = ["approve", "reject"];

    /// <summary>The <see cref="Event"/> activity's outcome when its timeout passes before an event arrives.</summary>
    public const string TimeoutOutcome = "timeout";

    public static IReadOnlyList<ActivityDescriptor> Descriptors { get; } =
    [
        new(Noop, "Control flow", "Does nothing and succeeds; useful as a start, a fork point or a placeholder.", [], [ActivityDescriptor.DefaultOutcome]) { Pure = true },
        new(Fail, "Control flow", "Fails the node with a message (retries do not apply).",
            [new("message", "string", Required: true, "Why the workflow fails.")], [ActivityDescriptor.DefaultOutcome]) { Pure = true },
        new(Delay, "Control flow", "A durable timer: waits for a duration or until a time, surviving restarts.",
            [
                new("duration", "string", Description: "How long to wait, e.g. 30s, 5m, 1h."),
                new("until", "string", Description: "An ISO 8601 instant to wait for, instead of a duration."),
            ], [ActivityDescriptor.DefaultOutcome]),
        new(Join, "Control flow", "Merges parallel branches.",
            [new("mode", "string", Description: "WaitAll: every branch; WaitAllActive: every branch not skipped; WaitAny: the first branch, skipping the others.",
                Default: JsonValue.Create("WaitAll"), AllowedValues: ["WaitAll", "WaitAllActive", "WaitAny"])],
            [ActivityDescriptor.DefaultOutcome]) { Pure = true },
        new(ForEach, "Control flow", "Runs a body activity once per item of a list produced at run time, with bounded parallelism. Output: the list of body outputs, in item order.",
            [
                new("items", "array", Required: true, "The list, usually a template such as {{ nodes.a.output.items }}."),
                new("body", "object", Required: true, "The activity to run per item: { \"type\": ..., \"inputs\": { ... } }; its templates see item and index."),
                new("maxParallelism", "integer", Description: "At most this many items run at once.", Default: JsonValue.Create(10)),
            ], [ActivityDescriptor.DefaultOutcome]),
        new(Workflow, "Control flow", "Runs another workflow (or this one, recursively) as a child instance and waits for it, its output becoming the node's; with wait false, starts it and goes on at once with { instanceId }. Recursion is bounded by max depth.",
            [
                new("definitionId", "string", Required: true, "The child workflow's id."),
                new("version", "integer", Description: "A fixed version; the latest when omitted."),
                new("input", "object", Description: "The child's input; values may be templates."),
                new("correlationId", "string", Description: "The child's correlation id; the parent's when omitted."),
                new("wait", "boolean", Description: "false: start the child and succeed at once with { instanceId, definitionId }; the child runs on its own (neither awaited nor cancelled with this instance). Default true."),
            ], [ActivityDescriptor.DefaultOutcome]),
        new(Sleep, "Control flow", "Holds its worker slot for a duration, like a busy activity would; use delay to wait without holding a worker.",
            [new("duration", "string", Required: true, "How long, e.g. 250ms or 2s.")], [ActivityDescriptor.DefaultOutcome]),
        new(Transform, "Data", "Evaluates its value (usually templates) and outputs it; use it to shape data or generate lists.",
            [new("value", "any", Required: true, "Any JSON value; templates inside are rendered.")], [ActivityDescriptor.DefaultOutcome]) { Pure = true },
        new(SetVariable, "Data", "Sets an instance variable, readable afterwards as {{ vars.name }}. Output: { name, value }. Parallel branches setting one variable: the last to finish wins.",
            [
                new("name", "string", Required: true, "The variable's name."),
                new("value", "any", Required: true, "The new value; templates inside are rendered."),
            ], [ActivityDescriptor.DefaultOutcome]) { Pure = true },
        new(JavaScript, "Data", "Runs a JavaScript script (Elsa's RunJavaScript) in a sandbox. Output: the script's value (its last expression). Variables it writes with setVariable(name, value) are stored when the node succeeds.",
            [new("script", "string", Required: true, "The JavaScript source; it reads input, vars, nodes and Elsa's getVariable, getInput, getOutputFrom, ... It is not a template: {{ }} inside is JavaScript.")],
            [ActivityDescriptor.DefaultOutcome]) { Pure = true },
        new(Log, "Data", "Writes a message to the server log, tagged with the instance and node. Output: { message }.",
            [new("message", "string", Required: true, "The text; templates inside are rendered.")], [ActivityDescriptor.DefaultOutcome]),
        new(Event, "Control flow", "Waits, durably and without holding a worker, for an external event posted to /api/events/{name} or to the node's single-use resume URL. Output: the event's payload; on timeout, { timedOut: true } by the timeout port.",
            [
                new("name", "string", Required: true, "The event's name, e.g. order-paid."),
                new("correlation", "string", Description: "Only an event carrying this correlation resumes the node, e.g. {{ input.orderId }}."),
                new("timeout", "string", Description: "Give up after this long (e.g. 30m, 2d) and leave by the timeout port; waits forever when omitted."),
                new("earlier", "string", Description: "Also take an event that arrived up to this long before the node started waiting and matched nothing then (e.g. 10m); such events are kept that long. Events that match nothing are dropped when omitted."),
            ], [ActivityDescriptor.DefaultOutcome, TimeoutOutcome]),
        new(Approval, "Control flow", "Waits, durably, for a person's decision through /api/approvals; the chosen option is the outcome port. Output: { decision, by, comment, form, decidedAt }.",
            [
                new("title", "string", Required: true, "What is to be decided; templates inside are rendered."),
                new("description", "string", Description: "More detail for the people deciding; templates inside are rendered."),
                new("assignees", "array", Description: "Who may see it in their list (GET /api/approvals?assignee=...), e.g. [\"alice\"]."),
                new("group", "string", Description: "A group it is assigned to, listed like an assignee."),
                new("options", "array", Description: "The possible decisions, each an outcome port. Default: approve, reject."),
                new("form", "object", Description: "A JSON Schema of form values the decision may carry, shown to the people deciding."),
                new("timeout", "string", Description: "Decide automatically after this long (e.g. 3d): by defaultOutcome, else by the timeout port."),
                new("defaultOutcome", "string", Description: "The option taken when the timeout passes."),
            ], [.. DefaultApprovalOptions, TimeoutOutcome]),
        new(Agent, "Control flow", "Waits, durably, for an agent to take the task through /api/agent-tasks (or the task-decomposition MCP tools), work on it under a lease and complete it. Output: the agent's output; a failure reported by the agent fails the node.",
            [
                new("title", "string", Required: true, "What the agent is to do; templates inside are rendered."),
                new("description", "string", Description: "More detail for the agent; templates inside are rendered."),
                new("capability", "string", Description: "What an agent needs to take it, e.g. code-review; agents list ready tasks by capability."),
                new("input", "any", Description: "Data for the agent; templates inside are rendered."),
                new("correlation", "object", Description: "Plain keys the caller correlates on (a session, a subtask); shown to agents as given."),
                new("lease", "string", Description: "How long a claim lasts unless renewed by a heartbeat (e.g. 5m); 5 minutes when omitted."),
                new("timeout", "string", Description: "Give up after this long (e.g. 1d) and leave by the timeout port; waits forever when omitted."),
            ], [ActivityDescriptor.DefaultOutcome, TimeoutOutcome]),
    ];
}
