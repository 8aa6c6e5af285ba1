namespace TaskFlow.Core.Decomposition;

/// <summary>What a subtask node runs, decided by the subtask's members.</summary>
public enum SubtaskRunner
{
    /// <summary>None of command, script, tool or workflow: the options' subtask activity (or a child workflow when it is decomposed again).</summary>
    Activity,

    /// <summary><c>command</c> or <c>script</c>: an <c>exec</c> node in a workspace.</summary>
    Exec,

    /// <summary><c>tool</c>: an <c>mcp.call</c> node through the router.</summary>
    Tool,

    /// <summary><c>workflow</c>: a <c>workflow</c> node running a stored definition.</summary>
    Workflow,
}
