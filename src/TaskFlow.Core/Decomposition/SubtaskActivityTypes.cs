namespace TaskFlow.Core.Decomposition;

/// <summary>
/// The activity types a subtask that says what runs becomes. They are provided by the workspaces
/// and routing hosts, so Core names them here rather than among the built-ins.
/// </summary>
public static class SubtaskActivityTypes
{
    /// <summary>Runs <c>command</c> or <c>script</c> in a workspace.</summary>
    public const string Exec = "exec";

    /// <summary>Calls <c>tool</c> with <c>arguments</c> through the MCP router.</summary>
    public const string McpCall = "mcp.call";
}
