using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Instances;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Runtime;

/// <summary>
/// The engine's front door: save and read definitions, start, inspect, wait for and cancel
/// instances, read the journal, purge old instances. The server, the CLI and the hooks all use it.
/// </summary>
public sealed class WorkflowRuntime
{
    private readonly EngineStore _store;
    private readonly GraphCache _graphs;
    private readonly ActivityCatalog _catalog;
    private readonly WorkflowLimits _limits;
    private readonly TaskFlowDbContextFactory _contexts;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public WorkflowRuntime(EngineStore store, GraphCache graphs, ActivityCatalog catalog, WorkflowLimits limits, TaskFlowDbContextFactory contexts, TimeProvider time)
    {
        _store = store;
        _graphs = graphs;
        _catalog = catalog;
        _limits = limits;
        _contexts = contexts;
        _time = time;
        _store.InstancesFinished += OnInstancesFinished;
    }

    public ActivityCatalog Catalog => _catalog;

    /// <summary>
    /// Raised (in this process) after a definition was saved, published or deleted, with its id,
    /// and awaited before the call returns: the server re-reads the cron triggers, so a schedule
    /// is up to date when the save answers. Handlers should not throw; the change is stored anyway.
    /// </summary>
    public event Func<string, Task>? DefinitionChanged;

    /// <summary>Validates a definition without storing it; every problem is listed.</summary>
    public async Task<IReadOnlyList<ValidationProblem>> ValidateAsync(string json, CancellationToken cancellationToken = default)
    {
        var (problems, _) = await ValidateCoreAsync(json, cancellationToken);
        return problems;
    }

    /// <summary>Every problem of a definition, and, for one that parses, its warnings (see <see cref="WorkflowValidator.Warnings"/>).</summary>
    public async Task<(IReadOnlyList<ValidationProblem> Problems, IReadOnlyList<ValidationProblem> Warnings)> CheckAsync(string json, CancellationToken cancellationToken = default)
    {
        var (problems, definition) = await ValidateCoreAsync(json, cancellationToken);
        return (problems, definition is null ? [] : new WorkflowValidator(_catalog.Descriptors, _limits).Warnings(definition));
    }

    /// <summary>
    /// Validates and stores a definition as a new version (1 for a new id). An invalid document
    /// is never stored and the versions already stored stay as they are. The new version is
    /// published unless <paramref name="publish"/> is false (a draft: stored and runnable by its
    /// version number, while runs by id go on using the published one).
    /// </summary>
    /// <exception cref="WorkflowValidationException">Lists every problem found.</exception>
    public async Task<DefinitionView> SaveDefinitionAsync(string json, bool publish = true, CancellationToken cancellationToken = default)
    {
        var (problems, definition) = await ValidateCoreAsync(json, cancellationToken);
        if (problems.Count > 0)
        {
            throw new WorkflowValidationException(problems);
        }

        // A published definition with HTTP routes is checked against the published ones inside the
        // save's transaction, with the routes locked: two saves of one route cannot both pass.
        var record = await _store.InsertDefinitionAsync(definition!.Id, definition.Name, publish, version =>
        {
            definition.Version = version;
            return WorkflowJson.Serialize(definition);
        }, cancellationToken, publish && HasRoutes(definition) ? token => RefuseRouteConflictsAsync(definition, token) : null);
        await RaiseDefinitionChangedAsync(record.DefinitionId);
        return ToView(record);
    }

    public Task<DefinitionView> SaveDefinitionAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default) =>
        SaveDefinitionAsync(WorkflowJson.Serialize(definition), publish: true, cancellationToken);

    /// <summary>Makes a stored version (the latest when omitted) the published one. Null when the id or version is not stored.</summary>
    public async Task<DefinitionView?> PublishDefinitionAsync(string id, int? version = null, CancellationToken cancellationToken = default)
    {
        var target = version ?? (await GetLatestDefinitionAsync(id, cancellationToken))?.Version;
        Func<CancellationToken, Task>? check = null;
        if (target is { } wanted && await GetDefinitionAsync(id, wanted, cancellationToken) is { IsDeleted: false } candidate && HasRoutes(candidate.Definition))
        {
            check = token => RefuseRouteConflictsAsync(candidate.Definition, token);
        }

        if (target is not { } v || !await _store.PublishDefinitionAsync(id, v, cancellationToken, check))
        {
            return null;
        }

        await RaiseDefinitionChangedAsync(id);
        return await GetDefinitionAsync(id, v, cancellationToken);
    }

    /// <summary>The latest stored version, draft or published; null when the id is unknown or deleted.</summary>
    public async Task<DefinitionView?> GetLatestDefinitionAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var latest = await db.Definitions.Where(d => d.DefinitionId == id && !d.IsDeleted).OrderByDescending(d => d.Version).FirstOrDefaultAsync(cancellationToken);
        return latest is null ? null : ToView(latest);
    }

    /// <summary>The given version, or the published one when <paramref name="version"/> is null.</summary>
    public async Task<DefinitionView?> GetDefinitionAsync(string id, int? version = null, CancellationToken cancellationToken = default)
    {
        var record = await _store.GetDefinitionAsync(id, version, cancellationToken);
        return record is null ? null : ToView(record);
    }

    /// <summary>The latest version of every stored definition, each with its published version.</summary>
    public async Task<IReadOnlyList<DefinitionView>> ListDefinitionsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var latest = await db.Definitions.Where(d => !d.IsDeleted)
            .GroupBy(d => d.DefinitionId)
            .Select(g => g.OrderByDescending(d => d.Version).First())
            .ToListAsync(cancellationToken);
        var published = await db.Definitions.Where(d => !d.IsDeleted && d.IsPublished)
            .Select(d => new { d.DefinitionId, d.Version })
            .ToDictionaryAsync(d => d.DefinitionId, d => d.Version, StringComparer.Ordinal, cancellationToken);
        return latest.OrderBy(d => d.DefinitionId, StringComparer.Ordinal)
            .Select(d => ToView(d) with { PublishedVersion = published.TryGetValue(d.DefinitionId, out var v) ? v : null })
            .ToArray();
    }

    /// <summary>
    /// The id and version of every published definition, ordered: a cheap stamp that changes
    /// whenever a definition is published, re-published or deleted, by any process on the database.
    /// </summary>
    public async Task<string> GetPublishedStampAsync(CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var rows = await db.Definitions.Where(d => !d.IsDeleted && d.IsPublished).Select(d => new { d.DefinitionId, d.Version }).ToListAsync(cancellationToken);
        return string.Join('\n', rows.OrderBy(r => r.DefinitionId, StringComparer.Ordinal).Select(r => $"{r.DefinitionId}@{r.Version}"));
    }

    /// <summary>The published version of every stored definition that has one: what cron triggers start.</summary>
    public async Task<IReadOnlyList<DefinitionView>> ListPublishedDefinitionsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var rows = await db.Definitions.Where(d => !d.IsDeleted && d.IsPublished).ToListAsync(cancellationToken);
        return rows.OrderBy(d => d.DefinitionId, StringComparer.Ordinal).Select(ToView).ToArray();
    }

    /// <summary>The stored versions of one definition, oldest first; empty when the id is unknown or deleted.</summary>
    public async Task<IReadOnlyList<DefinitionView>> ListDefinitionVersionsAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var versions = await db.Definitions.Where(d => d.DefinitionId == id && !d.IsDeleted).OrderBy(d => d.Version).ToListAsync(cancellationToken);
        return versions.Select(ToView).ToArray();
    }

    /// <summary>
    /// Soft-deletes every version of a definition: it is no longer listed or started by id.
    /// The rows stay, so instances already running on it go on reading their version. Saving
    /// the id again starts a new version after the deleted ones. False when nothing was deleted.
    /// </summary>
    public async Task<bool> DeleteDefinitionAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var deleted = await db.Definitions.Where(d => d.DefinitionId == id && !d.IsDeleted)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.IsDeleted, true), cancellationToken);
        if (deleted > 0)
        {
            await RaiseDefinitionChangedAsync(id);
        }

        return deleted > 0;
    }

    /// <summary>Starts an instance of the published (or the given) version. Inputs are checked against the declared inputs.</summary>
    /// <exception cref="WorkflowNotFoundException">No such definition or version.</exception>
    /// <exception cref="WorkflowInputException">The input does not fit the declared inputs.</exception>
    public async Task<string> StartAsync(string definitionId, JsonObject? input = null, int? version = null, CancellationToken cancellationToken = default) =>
        (await StartAsync(definitionId, input, version, startKey: null, cancellationToken)).InstanceId;

    /// <summary>
    /// Starts an instance at most once per <paramref name="startKey"/>, across every process on
    /// the database: a repeated key returns the instance the first start created (Created false).
    /// Cron ticks use it so that a tick starts exactly one instance.
    /// </summary>
    public Task<(string InstanceId, bool Created)> StartAsync(string definitionId, JsonObject? input, int? version, string? startKey, CancellationToken cancellationToken = default) =>
        StartAsync(definitionId, input, version, startKey, correlationId: null, cancellationToken);

    /// <summary>
    /// Starts an instance carrying <paramref name="correlationId"/> (the caller's id for what the
    /// run belongs to: an order, a request), stored on the instance and searchable. Every way in
    /// (run request, its header, triggers) passes it here.
    /// </summary>
    /// <exception cref="ArgumentException">The correlation id is empty or longer than <see cref="InstanceFilter.CorrelationIdMaxLength"/>.</exception>
    public async Task<(string InstanceId, bool Created)> StartAsync(string definitionId, JsonObject? input, int? version, string? startKey, string? correlationId, CancellationToken cancellationToken = default)
    {
        if (correlationId is { Length: 0 or > InstanceFilter.CorrelationIdMaxLength })
        {
            throw new ArgumentException($"The correlation id must have 1 to {InstanceFilter.CorrelationIdMaxLength} characters.", nameof(correlationId));
        }

        var graph = await _graphs.GetAsync(_store, null, definitionId, version, cancellationToken);
        var effective = InputBinder.Bind(graph.Definition, input ?? []);

        // With tracing on, the instance's trace starts here; the caller's span (the HTTP request,
        // a cron job) is linked to it, and the traceparent is stored with the instance.
        using var root = Diagnostics.EngineTracing.StartRoot(graph.Id, graph.Version, instanceId: null, System.Diagnostics.Activity.Current?.Context ?? default);
        if (correlationId is not null)
        {
            root?.SetTag(Diagnostics.EngineTracing.Tags.CorrelationId, correlationId);
        }

        var started = await _store.StartInstanceAsync(graph, effective, startKey, correlationId, root?.Id, cancellationToken);
        root?.SetTag(Diagnostics.EngineTracing.Tags.InstanceId, started.InstanceId);
        return started;
    }

    public async Task<InstanceView?> GetInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var instance = await db.Instances.FirstOrDefaultAsync(i => i.Id == instanceId, cancellationToken);
        if (instance is null)
        {
            return null;
        }

        var states = await db.NodeStates.Where(s => s.InstanceId == instanceId).ToListAsync(cancellationToken);

        // "Running" is not stored: a scheduled node is running while a worker holds a lease on it.
        var leased = (await db.WorkItems.Where(w => w.InstanceId == instanceId && w.Owner != null && !w.Resume).Select(w => w.NodeId).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var state in states.Where(s => s.Status == (int)NodeStatus.Scheduled && leased.Contains(s.NodeId)))
        {
            state.Status = (int)NodeStatus.Running;
        }

        return ToView(instance, states);
    }

    /// <summary>
    /// The instance's status and the output of the first of <paramref name="nodeIds"/> that
    /// succeeded (null when none has): cheap enough to poll, as the caller of an http trigger
    /// does while it waits for <c>http.respond</c>.
    /// </summary>
    public async Task<(InstanceStatus? Status, string? Output)> GetStatusAndOutputAsync(string instanceId, IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var status = await db.Instances.Where(i => i.Id == instanceId).Select(i => (int?)i.Status).FirstOrDefaultAsync(cancellationToken);
        if (status is null || nodeIds.Count == 0)
        {
            return ((InstanceStatus?)status, null);
        }

        var output = await db.NodeStates.Where(s => s.InstanceId == instanceId && nodeIds.Contains(s.NodeId) && s.Status == (int)NodeStatus.Succeeded)
            .Select(s => s.Output).FirstOrDefaultAsync(cancellationToken);
        return ((InstanceStatus?)status, output);
    }

    /// <summary>Just the status: cheap enough to poll.</summary>
    public async Task<InstanceStatus?> GetStatusAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var status = await db.Instances.Where(i => i.Id == instanceId).Select(i => (int?)i.Status).FirstOrDefaultAsync(cancellationToken);
        return (InstanceStatus?)status;
    }

    public async Task<IReadOnlyList<InstanceView>> ListInstancesAsync(InstanceStatus? status = null, int skip = 0, int take = 50, CancellationToken cancellationToken = default) =>
        (await ListInstancesAsync(new InstanceFilter { Status = status }, null, skip, take, cancellationToken)).Items;

    /// <summary>
    /// Instances matching <paramref name="filter"/>, newest first (created time, then id), without
    /// node states. A page starts after <paramref name="after"/> (keyset paging) or, for older
    /// callers, after skipping <paramref name="skip"/> rows; Next is the cursor of the following
    /// page, null on the last one.
    /// </summary>
    public async Task<(IReadOnlyList<InstanceView> Items, InstanceCursor? Next)> ListInstancesAsync(InstanceFilter filter, InstanceCursor? after, int skip, int take, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(take, 1000);
        await using var db = _contexts.Create();
        var query = filter.Apply(db.Instances.AsNoTracking(), db.Database.IsNpgsql());
        if (after is { } cursor)
        {
            query = query.Where(i => i.CreatedAt < cursor.CreatedAt || (i.CreatedAt == cursor.CreatedAt && string.Compare(i.Id, cursor.Id) < 0));
        }

        // One row more than asked tells whether there is a next page.
        var rows = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Skip(skip).Take(take + 1).ToListAsync(cancellationToken);
        var items = rows.Take(take).Select(r => ToView(r, [])).ToArray();
        InstanceCursor? next = rows.Count > take ? new InstanceCursor(rows[take - 1].CreatedAt, rows[take - 1].Id) : null;
        return (items, next);
    }

    /// <summary>The ids of every instance matching <paramref name="filter"/>, newest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<string>> FindInstanceIdsAsync(InstanceFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        return await filter.Apply(db.Instances.AsNoTracking(), db.Database.IsNpgsql()).OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id)
            .Select(i => i.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<JournalEventView>> GetJournalAsync(string instanceId, long afterId = 0, CancellationToken cancellationToken = default)
    {
        await using var db = _contexts.Create();
        var rows = await db.Journal.Where(j => j.InstanceId == instanceId && j.Id > afterId).OrderBy(j => j.Id).ToListAsync(cancellationToken);
        return rows.Select(j => new JournalEventView(j.Id, j.InstanceId, j.NodeId, (JournalEventType)j.Type, j.Attempt, DateTimeOffset.FromUnixTimeMilliseconds(j.At), j.Worker, j.Message)).ToArray();
    }

    /// <summary>
    /// Reopens a failed instance at one of its failed nodes, which runs again as a new attempt;
    /// work withdrawn when the instance failed is queued again.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such instance.</exception>
    /// <exception cref="InvalidOperationException">The retry is refused; the message says why.</exception>
    public async Task RetryNodeAsync(string instanceId, string nodeId, CancellationToken cancellationToken = default)
    {
        var (found, refusal) = await _store.RetryNodeAsync(instanceId, nodeId, cancellationToken);
        if (!found)
        {
            throw new KeyNotFoundException($"Instance '{instanceId}' is not stored.");
        }

        if (refusal is not null)
        {
            throw new InvalidOperationException(refusal);
        }
    }

    /// <summary>Cancels a running instance and its children. False when it was not running.</summary>
    public Task<bool> CancelAsync(string instanceId, CancellationToken cancellationToken = default) =>
        _store.CancelInstanceAsync(instanceId, "Cancelled by request.", cancellationToken);

    /// <summary>
    /// Waits until the instance has finished, or the timeout passes, and returns its latest view.
    /// Wakes at once for instances finished by this process; others are checked every 200 ms.
    /// </summary>
    public async Task<InstanceView?> WaitAsync(string instanceId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetUtcNow() + timeout;
        TaskCompletionSource? signal = null;
        try
        {
            while (true)
            {
                signal = _waiters.GetOrAdd(instanceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                var status = await GetStatusAsync(instanceId, cancellationToken);
                var left = deadline - _time.GetUtcNow();
                if (status is null or not InstanceStatus.Running || left <= TimeSpan.Zero)
                {
                    return await GetInstanceAsync(instanceId, cancellationToken);
                }

                await Task.WhenAny(signal.Task, Task.Delay(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200), _time, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            // Remove only our own signal; another waiter may have put a newer one.
            if (signal is not null)
            {
                _waiters.TryRemove(KeyValuePair.Create(instanceId, signal));
            }
        }
    }

    /// <summary>Deletes instances that finished more than <paramref name="age"/> ago, with their states and journal.</summary>
    public Task<int> PurgeAsync(TimeSpan age, CancellationToken cancellationToken = default) =>
        _store.PurgeFinishedAsync(_time.GetUtcNow() - age, cancellationToken);

    private async Task<(IReadOnlyList<ValidationProblem> Problems, WorkflowDefinition? Definition)> ValidateCoreAsync(string json, CancellationToken cancellationToken)
    {
        var definition = WorkflowJson.TryParse(json, out var parseProblem);
        if (definition is null)
        {
            return ([parseProblem!], null);
        }

        // Child workflows referenced by id are looked up now, so nesting depth can be checked.
        var referenced = new Dictionary<string, WorkflowDefinition?>(StringComparer.Ordinal);
        var pending = new Queue<WorkflowDefinition>([definition]);
        while (pending.Count > 0 && referenced.Count < 256)
        {
            foreach (var id in ChildIds(pending.Dequeue()).Where(id => id != definition.Id && !referenced.ContainsKey(id)))
            {
                var record = await _store.GetDefinitionAsync(id, null, cancellationToken);
                var child = record is null ? null : WorkflowJson.TryParse(record.Json, out _);
                referenced[id] = child;
                if (child is not null)
                {
                    pending.Enqueue(child);
                }
            }
        }

        var validator = new WorkflowValidator(_catalog.Descriptors, _limits, id => id == definition.Id ? definition : referenced.GetValueOrDefault(id));
        return (validator.Validate(definition), definition);
    }

    private static bool HasRoutes(WorkflowDefinition definition) => definition.Triggers.Exists(t => t.Type == "http");

    // Two published definitions must not claim one route and method: the later one is refused,
    // naming the first. Run inside the save's transaction with the routes locked (see
    // EngineStore.LockRoutesAsync), so it sees every route published before, whichever server
    // published it.
    private async Task RefuseRouteConflictsAsync(WorkflowDefinition definition, CancellationToken cancellationToken)
    {
        var published = await ListPublishedDefinitionsAsync(cancellationToken);
        var conflicts = Core.HttpTriggers.HttpRouteConflicts.Find(definition, published.Select(p => p.Definition));
        if (conflicts.Count > 0)
        {
            throw new WorkflowValidationException(conflicts);
        }
    }

    private static IEnumerable<string> ChildIds(WorkflowDefinition definition) =>
        definition.Nodes.Where(n => n.Type == Core.Activities.BuiltInActivities.Workflow)
            .Select(n => n.Inputs["definitionId"] is JsonValue v && v.TryGetValue<string>(out var id) && !id.Contains("{{", StringComparison.Ordinal) ? id : null)
            .OfType<string>();

    private async Task RaiseDefinitionChangedAsync(string definitionId)
    {
        if (DefinitionChanged is { } handlers)
        {
            foreach (var handler in handlers.GetInvocationList().Cast<Func<string, Task>>())
            {
                await handler(definitionId);
            }
        }
    }

    private void OnInstancesFinished(IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            if (_waiters.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }

    private static DefinitionView ToView(DefinitionRecord record)
    {
        var definition = WorkflowJson.Parse(record.Json);
        definition.Version = record.Version;
        return new DefinitionView(record.DefinitionId, record.Version, record.Name, DateTimeOffset.FromUnixTimeMilliseconds(record.CreatedAt), definition)
        {
            IsDeleted = record.IsDeleted,
            IsPublished = record.IsPublished,
            PublishedVersion = record.IsPublished ? record.Version : null,
        };
    }

    private static InstanceView ToView(InstanceRecord r, IReadOnlyList<NodeStateRecord> states) => new(
        r.Id,
        r.DefinitionId,
        r.DefinitionVersion,
        (InstanceStatus)r.Status,
        r.Depth,
        r.ParentInstanceId,
        r.ParentNodeId,
        JsonNode.Parse(r.Input),
        r.Output is null ? null : JsonNode.Parse(r.Output),
        r.Error,
        DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt),
        r.FinishedAt is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null,
        states.OrderBy(s => s.NodeId, StringComparer.Ordinal).Select(s => new NodeStateView(
            s.NodeId,
            (NodeStatus)s.Status,
            s.Attempt,
            s.Output is null ? null : JsonNode.Parse(s.Output),
            s.Error,
            s.FinishedAt is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null)).ToArray())
    {
        CorrelationId = r.CorrelationId,
        TraceId = r.TraceParent is { Length: 55 } trace ? trace[3..35] : null,
    };
}
