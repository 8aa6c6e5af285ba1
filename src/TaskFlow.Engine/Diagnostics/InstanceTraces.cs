using System.Collections.Concurrent;
using System.Diagnostics;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Diagnostics;

/// <summary>
/// The trace context of running instances, for the spans of their nodes: read from the database
/// once per instance and process, and kept. An instance that has none (it started while tracing
/// was off, or it is a child, started by a commit) gets its root span from the first node that
/// runs with tracing on; a child's root links to its parent instance's.
/// </summary>
public sealed class InstanceTraces(EngineStore store)
{
    private const int MaxKept = 10_000;
    private readonly ConcurrentDictionary<string, ActivityContext> _known = new(StringComparer.Ordinal);

    /// <summary>The instance's root span context if this process already knows it; reads nothing.</summary>
    public bool TryGetKnown(string instanceId, out ActivityContext context) => _known.TryGetValue(instanceId, out context);

    /// <summary>The instance's root span context; default when the instance is unknown or its root could not be sampled.</summary>
    public async ValueTask<ActivityContext> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(instanceId, out var known))
        {
            return known;
        }

        var parents = await store.ReadTraceParentsAsync(instanceId, cancellationToken);
        if (parents is null)
        {
            return default;
        }

        var own = parents.Own;
        if (own is null)
        {
            ActivityContext.TryParse(parents.Parent, null, isRemote: true, out var parentInstance);
            using var root = EngineTracing.StartRoot(parents.DefinitionId, parents.DefinitionVersion, instanceId, parentInstance);
            if (root?.Id is not { } created)
            {
                return default;
            }

            own = await store.SetTraceParentAsync(instanceId, created, cancellationToken) ?? created;
        }

        if (!ActivityContext.TryParse(own, null, isRemote: true, out var context))
        {
            return default;
        }

        if (_known.Count >= MaxKept)
        {
            _known.Clear();
        }

        _known[instanceId] = context;
        return context;
    }
}
