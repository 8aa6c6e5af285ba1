using System.ComponentModel.DataAnnotations;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Engine.Decomposition;

/// <summary>
/// Section <c>TaskFlow:Decomposition</c>: what the REST API, the task-decomposition MCP server and
/// the hooks may decompose. The limits default to the engine's (<c>TaskFlow:Engine:Limits</c>) and
/// may only be lower, since every generated definition must also pass the engine's validation.
/// </summary>
public sealed class TaskDecompositionOptions
{
    public const string SectionName = "TaskFlow:Decomposition";

    /// <summary>The reference report's task-decomposition-mcp template (Appendix A); what it sets wins.</summary>
    public string? TemplateFile { get; set; }

    /// <summary>The strategies callers may ask for; all when not set. <c>auto</c> is always allowed.</summary>
    public DecompositionStrategy[]? Strategies { get; set; }

    /// <summary>The aggregation modes callers may ask for; all when not set.</summary>
    public AggregationMode[]? AggregationModes { get; set; }

    /// <summary>The strategy when a request names none.</summary>
    public DecompositionStrategy DefaultStrategy { get; set; } = DecompositionStrategy.Auto;

    [Range(0, 10_000)]
    public int RecursionThreshold { get; set; } = 60;

    /// <summary>The activity that runs each subtask; <c>transform</c> outputs the subtask it is given.</summary>
    [Required(AllowEmptyStrings = false)]
    public string SubtaskActivity { get; set; } = "transform";

    [Required(AllowEmptyStrings = false)]
    public string SubtaskInput { get; set; } = "value";

    /// <summary>max_subtasks; the engine's Limits.MaxSubtasks when not set.</summary>
    [Range(1, 100_000)]
    public int? MaxSubtasks { get; set; }

    /// <summary>max_depth; the engine's Limits.MaxDepth when not set.</summary>
    [Range(0, 100)]
    public int? MaxDepth { get; set; }

    /// <summary>maxComplexity; the engine's Limits.MaxComplexity when not set.</summary>
    [Range(1, 10_000)]
    public int? MaxComplexity { get; set; }

    /// <summary>
    /// An MCP tool that proposes subtasks instead of the built-in rules (<c>server.tool</c>, called
    /// through the MCP router); the built-in rules when not set.
    /// </summary>
    public string? ProposerTool { get; set; }

    /// <summary>How long one call of <see cref="ProposerTool"/> may take; the router's call timeout when not set.</summary>
    public TimeSpan? ProposerTimeout { get; set; }

    /// <summary>
    /// How long the MCP server's <c>decompose</c> tool waits for the calling client's model (MCP
    /// sampling) before it falls back to the structural decomposer: 1 second to 10 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SamplingTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public IReadOnlyList<DecompositionStrategy> EffectiveStrategies =>
        Strategies is { Length: > 0 } s ? [.. s.Append(DecompositionStrategy.Auto).Distinct()] : Enum.GetValues<DecompositionStrategy>();

    public IReadOnlyList<AggregationMode> EffectiveAggregationModes =>
        AggregationModes is { Length: > 0 } m ? [.. m.Distinct()] : Enum.GetValues<AggregationMode>();
}
