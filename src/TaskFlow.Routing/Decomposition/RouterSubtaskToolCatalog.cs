using TaskFlow.Engine.Decomposition;

namespace TaskFlow.Routing.Decomposition;

/// <summary>The fleet's tools for the decomposition's check of subtask <c>tool</c> members: what <c>mcp.call</c> accepts.</summary>
internal sealed class RouterSubtaskToolCatalog(McpRouter router) : ISubtaskToolCatalog
{
    public async Task<IReadOnlySet<string>> ToolNamesAsync(CancellationToken cancellationToken = default)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (server, tool) in await router.ListToolsAsync(cancellationToken))
        {
            names.Add(tool.Name);
            names.Add(server + "." + tool.Name);
        }

        foreach (var routed in await router.ListRoutedToolsAsync(cancellationToken))
        {
            names.Add(routed.Name);
        }

        return names;
    }
}
