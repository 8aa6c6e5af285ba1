using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using TaskFlow.Engine.Instances;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.BulkOperations;

/// <summary>
/// Starts and reads bulk operations (cancel, retry, delete on many instances). The targets are
/// resolved once, when the operation starts, and stored with it; <see cref="BulkOperationWorker"/>
/// then handles them in the background and resumes pending ones after a restart.
/// </summary>
public sealed class BulkOperations(EngineStore store, WorkflowRuntime runtime)
{
    /// <summary>The most instances one operation covers; a filter matching more is refused.</summary>
    public const int MaxInstances = 100_000;

    private readonly Channel<string> _queued = Channel.CreateUnbounded<string>();

    internal ChannelReader<string> Queued => _queued.Reader;

    /// <summary>Starts an operation on every instance matching <paramref name="filter"/>.</summary>
    /// <exception cref="BulkOperationException">More than <see cref="MaxInstances"/> instances match.</exception>
    public async Task<string> StartAsync(BulkOperationKind kind, InstanceFilter filter, CancellationToken cancellationToken = default)
    {
        var ids = await runtime.FindInstanceIdsAsync(filter, MaxInstances + 1, cancellationToken);
        if (ids.Count > MaxInstances)
        {
            throw new BulkOperationException($"The filter matches more than {MaxInstances} instances; narrow it (for example by a created time range) and run the operation in parts.");
        }

        var request = new JsonObject { ["filter"] = JsonSerializer.SerializeToNode(filter) };
        return await StartAsync(kind, request, ids, cancellationToken);
    }

    /// <summary>Starts an operation on the given instances, in the given order (duplicates dropped). Unknown ids are skipped with that reason.</summary>
    public Task<string> StartAsync(BulkOperationKind kind, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default)
    {
        var ids = instanceIds.Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length > MaxInstances)
        {
            throw new BulkOperationException($"At most {MaxInstances} instance ids are accepted in one operation; {ids.Length} were given.");
        }

        return StartAsync(kind, new JsonObject { ["ids"] = ids.Length }, ids, cancellationToken);
    }

    /// <summary>The operation's progress, with every result when <paramref name="withResults"/>; null when unknown.</summary>
    public Task<BulkOperationView?> GetAsync(string operationId, bool withResults = true, CancellationToken cancellationToken = default) =>
        store.GetBulkOperationAsync(operationId, withResults, cancellationToken);

    /// <summary>Queues stored operations that still have pending results (at start, after a restart).</summary>
    internal async Task ResumeAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await store.RunningBulkOperationsAsync(cancellationToken))
        {
            _queued.Writer.TryWrite(id);
        }
    }

    private async Task<string> StartAsync(BulkOperationKind kind, JsonObject request, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        request["kind"] = kind.ToString();
        var id = await store.InsertBulkOperationAsync(kind, request.ToJsonString(), ids, cancellationToken);
        _queued.Writer.TryWrite(id);
        return id;
    }
}
