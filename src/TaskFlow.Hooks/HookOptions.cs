using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Validation;

namespace TaskFlow.Hooks;

/// <summary>How the hook commands decompose and when they block. Every default is here.</summary>
internal sealed class HookOptions
{
    /// <summary>Set to true (or 1) to block Task calls whose task cannot be decomposed, as <c>--block-invalid</c> does.</summary>
    public const string BlockVariable = "TASKFLOW_HOOKS_BLOCK_INVALID";

    /// <summary>Exit 2 (block the Task call, reason on stderr) when the task breaks a rule or a limit.</summary>
    public bool BlockInvalid { get; set; }

    public DecompositionStrategy Strategy { get; set; } = DecompositionStrategy.Auto;

    /// <summary>Null: sequential for a sequential plan, parallel otherwise.</summary>
    public AggregationMode? Aggregation { get; set; }

    public WorkflowLimits Limits { get; set; } = new();

    public TimeSpan StdinTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxStdinBytes { get; set; } = 1024 * 1024;

    public static bool BlockFromEnvironment() =>
        Environment.GetEnvironmentVariable(BlockVariable) is { } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));
}
