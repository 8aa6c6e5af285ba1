using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// The fleet's resources, resource templates and prompts through the gateway: merged across
/// servers, each request routed back to the server that listed what it names.
/// </summary>
/// <remarks>
/// A resource keeps its URI, scheme and all, so clients still recognise <c>file://</c> and the
/// like; only where two servers list the same URI does each copy get a fragment naming its server
/// (<c>#taskflow-server=NAME</c>), mapped back exactly on a read. A URI no listing has (one made
/// from a template) goes to the server whose template's fixed start it shares the longest part of.
/// Prompts are named as tools are (<c>server__prompt</c>).
/// </remarks>
public sealed partial class McpGateway
{
    private const string ServerFragment = "taskflow-server=";
    private volatile Catalog? _catalog;

    /// <summary>
    /// What the gateway announces: tools, and resources, prompts and completions where a server of
    /// the fleet offers them (its servers are started, in parallel, to learn it; kept with the listing).
    /// </summary>
    public async Task<ServerCapabilities> CapabilitiesAsync(CancellationToken cancellationToken)
    {
        await CurrentAsync(cancellationToken);
        return _router.Capabilities;
    }

    /// <summary>Every server's resources, under URIs that say which server each is.</summary>
    public async Task<ListResourcesResult> ListResourcesAsync(CancellationToken cancellationToken) =>
        new() { Resources = (await CatalogAsync(cancellationToken)).Resources };

    /// <summary>Every server's resource templates, as the servers list them.</summary>
    public async Task<ListResourceTemplatesResult> ListResourceTemplatesAsync(CancellationToken cancellationToken) =>
        new() { ResourceTemplates = [.. (await CatalogAsync(cancellationToken)).Templates.Select(t => t.Template)] };

    /// <summary>Every server's prompts, named for the gateway.</summary>
    public async Task<ListPromptsResult> ListPromptsAsync(CancellationToken cancellationToken) =>
        new() { Prompts = (await CatalogAsync(cancellationToken)).Prompts };

    /// <summary>Reads a resource from the server that listed it (or whose template it fits).</summary>
    public async Task<ReadResourceResult> ReadResourceAsync(ReadResourceRequestParams request, CancellationToken cancellationToken)
    {
        var (server, uri) = await ResolveResourceAsync(request.Uri, cancellationToken);
        return await ForwardAsync(() => _router.ReadResourceAsync(server, new ReadResourceRequestParams { Uri = uri, Meta = request.Meta }, cancellationToken));
    }

    /// <summary>The server a gateway URI belongs to, and the URI as that server writes it.</summary>
    /// <exception cref="McpProtocolException">No server lists the URI or has a template it fits (-32002).</exception>
    public async Task<(string Server, string Uri)> ResolveResourceAsync(string uri, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(cancellationToken);
        return catalog.ResourceTargets.TryGetValue(uri, out var listed)
            ? listed
            : (ServerForUri(catalog, uri) ?? throw new McpProtocolException($"Resource '{uri}' is not listed by any server of the fleet, nor fits any server's template.", McpErrorCode.ResourceNotFound), uri);
    }

    /// <summary>Gets a prompt by its gateway name from the server that lists it.</summary>
    public async Task<GetPromptResult> GetPromptAsync(GetPromptRequestParams request, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(cancellationToken);
        if (!catalog.PromptTargets.TryGetValue(request.Name, out var target))
        {
            throw new McpProtocolException($"Unknown prompt '{request.Name}': no server of the fleet offers it.", McpErrorCode.InvalidParams);
        }

        return await ForwardAsync(() => _router.GetPromptAsync(target.Server, new GetPromptRequestParams { Name = target.Name, Arguments = request.Arguments, Meta = request.Meta }, cancellationToken));
    }

    /// <summary>Completes a prompt's or a resource template's argument on the server that owns it.</summary>
    public async Task<CompleteResult> CompleteAsync(CompleteRequestParams request, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(cancellationToken);
        switch (request.Ref)
        {
            case PromptReference prompt when catalog.PromptTargets.TryGetValue(prompt.Name, out var target):
                return await ForwardAsync(() => _router.CompleteAsync(target.Server, new CompleteRequestParams { Ref = new PromptReference { Name = target.Name }, Argument = request.Argument, Context = request.Context }, cancellationToken));
            case ResourceTemplateReference template when catalog.Templates.FirstOrDefault(t => t.Template.UriTemplate == template.Uri) is { Server: { } server }:
                return await ForwardAsync(() => _router.CompleteAsync(server, request, cancellationToken));
            default:
                // Nothing of the fleet to complete: no suggestions, as a server answers for an unknown reference.
                return new CompleteResult { Completion = new Completion { Values = [] } };
        }
    }

    private static async Task<T> ForwardAsync<T>(Func<Task<T>> request)
    {
        try
        {
            return await request();
        }
        catch (McpRoutingException ex)
        {
            throw new McpProtocolException(ex.Message, McpErrorCode.InternalError);
        }
    }

    private static string? ServerForUri(Catalog catalog, string uri) =>
        catalog.Templates
            .Select(t => (t.Server, Prefix: t.Template.UriTemplate.Split('{')[0]))
            .Where(t => t.Prefix.Length > 0 && uri.StartsWith(t.Prefix, StringComparison.Ordinal))
            .OrderByDescending(t => t.Prefix.Length)
            .Select(t => t.Server)
            .FirstOrDefault();

    private async ValueTask<Catalog> CatalogAsync(CancellationToken cancellationToken)
    {
        if (_catalog is { } catalog && _time.GetElapsedTime(catalog.BuiltAt) < _options.ToolCacheTtl)
        {
            return catalog;
        }

        var resources = _router.ListResourcesAsync(cancellationToken);
        var templates = _router.ListResourceTemplatesAsync(cancellationToken);
        var prompts = _router.ListPromptsAsync(cancellationToken);
        var built = Build(await resources, await templates, await prompts);
        _catalog = built;
        return built;
    }

    private Catalog Build(IReadOnlyList<(string Server, Resource Item)> resources, IReadOnlyList<(string Server, ResourceTemplate Item)> templates, IReadOnlyList<(string Server, Prompt Item)> prompts)
    {
        var shared = resources.GroupBy(r => r.Item.Uri, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var resourceTargets = new Dictionary<string, (string Server, string Uri)>(StringComparer.Ordinal);
        var listedResources = new List<Resource>(resources.Count);
        foreach (var (server, resource) in resources)
        {
            var uri = shared.Contains(resource.Uri) ? $"{resource.Uri}{(resource.Uri.Contains('#', StringComparison.Ordinal) ? "&" : "#")}{ServerFragment}{server}" : resource.Uri;
            if (resourceTargets.TryAdd(uri, (server, resource.Uri)))
            {
                listedResources.Add(new Resource
                {
                    Uri = uri,
                    Name = resource.Name,
                    Title = resource.Title,
                    Description = resource.Description,
                    MimeType = resource.MimeType,
                    Size = resource.Size,
                    Annotations = resource.Annotations,
                    Icons = resource.Icons,
                    Meta = resource.Meta,
                });
            }
        }

        // Prompts are named by the rules tools are: with CollisionsOnly, a prompt only one server lists keeps its own name.
        var unique = _options.Gateway.Naming == GatewayNaming.CollisionsOnly
            ? prompts.GroupBy(p => p.Item.Name, StringComparer.Ordinal).Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal)
            : [];
        var names = GatewayToolNames.Assign([.. prompts.Select(p => (unique.Contains(p.Item.Name) ? null : (string?)p.Server, p.Item.Name))], _options.Gateway);
        var promptTargets = new Dictionary<string, (string Server, string Name)>(StringComparer.Ordinal);
        var listedPrompts = new List<Prompt>(prompts.Count);
        for (var i = 0; i < prompts.Count; i++)
        {
            var (server, prompt) = prompts[i];
            if (promptTargets.TryAdd(names[i], (server, prompt.Name)))
            {
                listedPrompts.Add(new Prompt
                {
                    Name = names[i],
                    Title = prompt.Title,
                    Description = prompt.Description,
                    Arguments = prompt.Arguments,
                    Icons = prompt.Icons,
                    Meta = prompt.Meta,
                });
            }
        }

        return new Catalog(listedResources, resourceTargets, [.. templates.Select(t => (t.Server, t.Item))], listedPrompts, promptTargets, _time.GetTimestamp());
    }

    private sealed record Catalog(
        List<Resource> Resources,
        Dictionary<string, (string Server, string Uri)> ResourceTargets,
        List<(string Server, ResourceTemplate Template)> Templates,
        List<Prompt> Prompts,
        Dictionary<string, (string Server, string Name)> PromptTargets,
        long BuiltAt);
}
