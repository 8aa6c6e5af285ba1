using Microsoft.Extensions.Options;
using TaskFlow.Core.HttpTriggers;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Server.HttpTriggers;

/// <summary>
/// The routes of the published definitions' <c>http</c> triggers, rebuilt from the database: at
/// once after a definition changes through this process, when a request matches nothing and the
/// table is older than the refresh interval, and on that interval in the background
/// (<see cref="HttpTriggerRefresh"/>), each time only when the stamp of published ids and versions
/// changed. So every server of a cluster serves what is published, without a restart.
/// </summary>
internal sealed partial class HttpTriggerRouteTable(WorkflowRuntime runtime, IOptions<HttpTriggerOptions> options, TimeProvider time, ILogger<HttpTriggerRouteTable> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<HttpTrigger> _routes = [];
    private string? _stamp;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    /// <summary>The trigger serving a request, with the route values, or null; <paramref name="allowed"/> lists the methods of a route that matched the path only.</summary>
    public (HttpTrigger Trigger, Dictionary<string, string> Values)? Match(string method, IReadOnlyList<string> segments, out IReadOnlyList<string> allowed)
    {
        var byPath = new List<(HttpTrigger Trigger, Dictionary<string, string> Values)>();
        foreach (var trigger in _routes)
        {
            if (trigger.Route.Match(segments) is { } values)
            {
                byPath.Add((trigger, values));
            }
        }

        allowed = byPath.SelectMany(m => m.Trigger.Methods).Distinct().ToArray();
        var hits = byPath.Where(m => m.Trigger.Methods.Contains(method, StringComparer.OrdinalIgnoreCase)).ToList();

        // orders/new beats orders/{id}: the route with more literal segments wins.
        return hits.Count == 0 ? null : hits.MaxBy(m => m.Trigger.Route.LiteralCount);
    }

    /// <summary>Whether the last check of the database is older than the refresh interval.</summary>
    public bool IsStale => time.GetUtcNow() - _checkedAt >= options.Value.RefreshInterval;

    /// <summary>Re-reads the published definitions when their stamp changed (always when <paramref name="force"/>).</summary>
    public async Task RefreshAsync(bool force, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var stamp = await runtime.GetPublishedStampAsync(cancellationToken);
            _checkedAt = time.GetUtcNow();
            if (!force && stamp == _stamp)
            {
                return;
            }

            var routes = new List<HttpTrigger>();
            foreach (var view in await runtime.ListPublishedDefinitionsAsync(cancellationToken))
            {
                var respondNodes = view.Definition.Nodes.Where(n => n.Type == HttpRespondNode.Type).Select(n => n.Id).ToArray();
                foreach (var (index, route, methods) in HttpRouteConflicts.Routes(view.Definition))
                {
                    var trigger = new HttpTrigger(view.Id, view.Version, index, route, methods, view.Definition.Triggers[index], respondNodes);

                    // Saving refuses collisions; two servers publishing at the same instant could
                    // still both pass. The definition listed first keeps the route.
                    if (routes.FirstOrDefault(r => r.Route.CollidesWith(route) && r.Methods.Intersect(methods).Any()) is { } holder)
                    {
                        Collision(logger, route.Path, view.Id, holder.DefinitionId);
                        continue;
                    }

                    routes.Add(trigger);
                }
            }

            _routes = routes;
            _stamp = stamp;
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP trigger route /workflows/{Route} of definition {DefinitionId} is not served: definition {Holder} serves it already.")]
    private static partial void Collision(ILogger logger, string route, string definitionId, string holder);
}
