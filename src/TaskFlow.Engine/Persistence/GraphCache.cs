using System.Collections.Concurrent;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Serialization;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// Compiled graphs by (id, version). Stored versions never change, so an entry never goes stale;
/// the cache is bounded so that a long-running process serving many versions does not grow forever.
/// </summary>
public sealed class GraphCache(int capacity = 1024)
{
    private readonly ConcurrentDictionary<(string, int), WorkflowGraph> _graphs = new();

    /// <summary>The compiled graph when it is cached already; never reads the database.</summary>
    public bool TryGet(string definitionId, int version, out WorkflowGraph graph) =>
        _graphs.TryGetValue((definitionId, version), out graph!);

    public async Task<WorkflowGraph> GetAsync(EngineStore store, StoreSession? session, string definitionId, int? version, CancellationToken cancellationToken)
    {
        if (version is { } v && _graphs.TryGetValue((definitionId, v), out var cached))
        {
            return cached;
        }

        var record = await store.FindDefinitionAsync(session, definitionId, version, cancellationToken)
            ?? throw new WorkflowNotFoundException(definitionId, version);
        if (_graphs.TryGetValue((definitionId, record.Version), out cached))
        {
            return cached;
        }

        var definition = WorkflowJson.Parse(record.Json);
        definition.Version = record.Version;
        var graph = WorkflowGraph.Compile(definition);
        if (_graphs.Count >= capacity)
        {
            _graphs.Clear();
        }

        _graphs[(definitionId, record.Version)] = graph;
        return graph;
    }
}

/// <summary>A workflow id (or id and version) that is not stored.</summary>
public sealed class WorkflowNotFoundException(string definitionId, int? version)
    : Exception(version is null ? $"Workflow '{definitionId}' is not stored." : $"Workflow '{definitionId}' has no version {version}.")
{
    public string DefinitionId { get; } = definitionId;

    public int? Version { get; } = version;
}
