// MCP's logging is deprecated as of revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// send it, and the gateway passes it on for them.
#pragma warning disable MCP9005

using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing;

public sealed partial class McpRouter
{
    /// <summary>Raised when a server says its resources or prompts changed.</summary>
    public event Action<string>? CatalogChanged;

    /// <summary>
    /// What the fleet offers together, after starting (in parallel) every server not started yet:
    /// tools always; resources (with subscriptions), prompts, completions and logging when at least one server offers them. The
    /// gateway announces this, so a client sees no capability that no server backs.
    /// </summary>
    public async Task<ServerCapabilities> DiscoverCapabilitiesAsync(CancellationToken cancellationToken = default)
    {
        await ListToolsAsync(cancellationToken);
        return Capabilities;
    }

    /// <summary>The union of the capabilities the servers reported when they connected (see <see cref="DiscoverCapabilitiesAsync"/>).</summary>
    public ServerCapabilities Capabilities
    {
        get
        {
            var offered = _servers.Values.Select(s => s.Capabilities).OfType<ServerCapabilities>().ToList();
            return new ServerCapabilities
            {
                Tools = new ToolsCapability { ListChanged = true },
                Resources = offered.Any(c => c.Resources is not null) ? new ResourcesCapability { ListChanged = true, Subscribe = offered.Any(c => c.Resources?.Subscribe == true) ? true : null } : null,
                Prompts = offered.Any(c => c.Prompts is not null) ? new PromptsCapability { ListChanged = true } : null,
                Completions = offered.Any(c => c.Completions is not null) ? new CompletionsCapability() : null,
                Logging = offered.Any(c => c.Logging is not null) ? new LoggingCapability() : null,
            };
        }
    }

    /// <summary>Every server's resources (all pages), as <c>(server, resource)</c>; servers that fail are left out.</summary>
    public Task<IReadOnlyList<(string Server, Resource Item)>> ListResourcesAsync(CancellationToken cancellationToken = default) =>
        ListEachAsync((s, t) => s.ListResourcesAsync(t), "resources", cancellationToken);

    /// <summary>Every server's resource templates, as <c>(server, template)</c>.</summary>
    public Task<IReadOnlyList<(string Server, ResourceTemplate Item)>> ListResourceTemplatesAsync(CancellationToken cancellationToken = default) =>
        ListEachAsync((s, t) => s.ListResourceTemplatesAsync(t), "resource templates", cancellationToken);

    /// <summary>Every server's prompts, as <c>(server, prompt)</c>.</summary>
    public Task<IReadOnlyList<(string Server, Prompt Item)>> ListPromptsAsync(CancellationToken cancellationToken = default) =>
        ListEachAsync((s, t) => s.ListPromptsAsync(t), "prompts", cancellationToken);

    /// <summary>Reads a resource from the server that lists it.</summary>
    public Task<ReadResourceResult> ReadResourceAsync(string server, ReadResourceRequestParams request, CancellationToken cancellationToken = default) =>
        SendAsync(server, (client, token) => client.ReadResourceAsync(request, token).AsTask(), cancellationToken);

    /// <summary>Gets a prompt, with its arguments, from the server that lists it.</summary>
    public Task<GetPromptResult> GetPromptAsync(string server, GetPromptRequestParams request, CancellationToken cancellationToken = default) =>
        SendAsync(server, (client, token) => client.GetPromptAsync(request, token).AsTask(), cancellationToken);

    /// <summary>Asks the server that owns a prompt or resource template to complete an argument.</summary>
    public Task<CompleteResult> CompleteAsync(string server, CompleteRequestParams request, CancellationToken cancellationToken = default) =>
        SendAsync(server, (client, token) => client.CompleteAsync(request, token).AsTask(), cancellationToken);

    private async Task<T> SendAsync<T>(string name, Func<ModelContextProtocol.Client.McpClient, CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        if (!_servers.TryGetValue(name, out var server))
        {
            throw new McpRoutingException($"No MCP server is named '{name}'.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CallTimeout);
        return await server.RequestAsync(request, timeout.Token);
    }

    private async Task<IReadOnlyList<(string Server, T Item)>> ListEachAsync<T>(Func<UpstreamServer, CancellationToken, Task<IReadOnlyList<T>>> list, string what, CancellationToken cancellationToken)
    {
        var lists = await Task.WhenAll(_servers.Values.OrderBy(s => s.Options.Tier).ThenBy(s => s.Name, StringComparer.Ordinal).Select(async server =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CallTimeout);
            try
            {
                return (server.Name, Items: await list(server, timeout.Token));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                ListFailed(_logger, server.Name, what, FailureText.Of(ex));
                return (server.Name, Items: (IReadOnlyList<T>)[]);
            }
        }));
        return [.. lists.SelectMany(l => l.Items.Select(i => (l.Name, i)))];
    }

    private void OnCatalogChanged(UpstreamServer server) => CatalogChanged?.Invoke(server.Name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} could not list its {What}: {Reason}")]
    private static partial void ListFailed(ILogger logger, string server, string what, string reason);
}
