using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Decomposition;

/// <summary>One piece of a task: becomes one node of the generated workflow.</summary>
public sealed record Subtask
{
    /// <summary>
    /// Unique within its task: letters, digits, <c>-</c> and <c>_</c>, at most 64 characters, and not
    /// <c>start</c>, <c>join</c> or <c>aggregate</c>. It becomes the node id.
    /// </summary>
    public required string Id { get; init; }

    public string Description { get; init; } = "";

    /// <summary>0 to maxComplexity (100 by default). Above the recursion threshold it may be decomposed again.</summary>
    public int Complexity { get; init; }

    /// <summary>Ids of subtasks of the same task that must finish before this one starts.</summary>
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    /// <summary>Its share in a weighted aggregation, relative to the other subtasks; 0 or more.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Tools that may help, passed on to the activity that runs the subtask.</summary>
    public IReadOnlyList<string> ToolHints { get; init; } = [];

    /// <summary>A group for the hierarchical strategy, such as the markdown heading it was found under.</summary>
    public string? Group { get; init; }

    /// <summary>A program and its arguments, run without a shell: the subtask becomes an <c>exec</c> node.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>A shell script (run with <c>sh -c</c>): the subtask becomes an <c>exec</c> node.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Script { get; init; }

    /// <summary>An MCP tool to call through the router: the subtask becomes an <c>mcp.call</c> node.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Tool { get; init; }

    /// <summary>The tool's arguments; values may be templates. Only with <see cref="Tool"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Arguments { get; init; }

    /// <summary>The id of a stored workflow definition to run as a child: the subtask becomes a <c>workflow</c> node.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Workflow { get; init; }

    /// <summary>Where a command or script runs; the task's workspace when omitted.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WorkspacePolicy? Workspace { get; init; }

    /// <summary>The node's dispatch tier, 1 (critical) to 4 (support); also the tier of an MCP call.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Tier { get; init; }

    /// <summary>What runs the subtask, as the member that says so.</summary>
    [JsonIgnore]
    public SubtaskRunner Runner =>
        Command is not null || Script is not null ? SubtaskRunner.Exec
        : Tool is not null ? SubtaskRunner.Tool
        : Workflow is not null ? SubtaskRunner.Workflow
        : SubtaskRunner.Activity;
}
