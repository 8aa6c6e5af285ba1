namespace TaskFlow.Engine.Decomposition;

/// <summary>
/// The tools a decomposed subtask may call, as the MCP router's fleet lists them. Registered by the
/// router; without it, or when the fleet lists nothing, subtask tools are not checked.
/// </summary>
public interface ISubtaskToolCatalog
{
    /// <summary>Every name a <c>tool</c> may use (a rule's name, a server's own tool name, <c>server.tool</c>); empty when the fleet is not known.</summary>
    Task<IReadOnlySet<string>> ToolNamesAsync(CancellationToken cancellationToken = default);
}
