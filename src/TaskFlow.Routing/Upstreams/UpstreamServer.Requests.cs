using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Upstreams;

internal sealed partial class UpstreamServer
{
    /// <summary>What the server said it offers when it last connected; null before it has.</summary>
    public ServerCapabilities? Capabilities { get; private set; }

    /// <summary>Raised when the server says its resources or prompts changed.</summary>
    public event Action<UpstreamServer>? CatalogChanged;

    /// <summary>Every resource the server lists (all pages), or none when it offers no resources.</summary>
    public Task<IReadOnlyList<Resource>> ListResourcesAsync(CancellationToken cancellationToken) =>
        ListAllAsync(c => c.Resources is not null, async (client, cursor, token) =>
        {
            var page = await client.ListResourcesAsync(new ListResourcesRequestParams { Cursor = cursor }, token);
            return (page.Resources, page.NextCursor);
        }, cancellationToken);

    /// <summary>Every resource template the server lists, or none.</summary>
    public Task<IReadOnlyList<ResourceTemplate>> ListResourceTemplatesAsync(CancellationToken cancellationToken) =>
        ListAllAsync(c => c.Resources is not null, async (client, cursor, token) =>
        {
            var page = await client.ListResourceTemplatesAsync(new ListResourceTemplatesRequestParams { Cursor = cursor }, token);
            return (page.ResourceTemplates, page.NextCursor);
        }, cancellationToken);

    /// <summary>Every prompt the server lists, or none.</summary>
    public Task<IReadOnlyList<Prompt>> ListPromptsAsync(CancellationToken cancellationToken) =>
        ListAllAsync(c => c.Prompts is not null, async (client, cursor, token) =>
        {
            var page = await client.ListPromptsAsync(new ListPromptsRequestParams { Cursor = cursor }, token);
            return (page.Prompts, page.NextCursor);
        }, cancellationToken);

    /// <summary>Sends one request on a pooled connection; a connection that fails under it is taken out of use (and the server restarted) as for a tool call.</summary>
    public async Task<T> RequestAsync<T>(Func<McpClient, CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        var (connection, started) = await AcquireAsync(cancellationToken);
        try
        {
            return await request(connection.Client, cancellationToken);
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken) && EndsConnection(ex))
        {
            throw Lost(connection, ex);
        }
        finally
        {
            Release(connection, started);
        }
    }

    private async Task<IReadOnlyList<T>> ListAllAsync<T>(
        Func<ServerCapabilities, bool> offers,
        Func<McpClient, string?, CancellationToken, Task<(IList<T> Items, string? Next)>> page,
        CancellationToken cancellationToken)
    {
        return await RequestAsync<IReadOnlyList<T>>(async (client, token) =>
        {
            if (client.ServerCapabilities is not { } capabilities || !offers(capabilities))
            {
                return [];
            }

            var all = new List<T>();
            string? cursor = null;
            do
            {
                var (items, next) = await page(client, cursor, token);
                all.AddRange(items);
                cursor = next;
            }
            while (cursor is not null);

            return all;
        }, cancellationToken);
    }

    private void OnCatalogChanged() => CatalogChanged?.Invoke(this);
}
