using System.Collections.Concurrent;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Server.HttpTriggers;

/// <summary>
/// Wakes a waiting http trigger caller at once when this process finishes its instance (the
/// common case: <c>http.respond</c> is often the last node), instead of at its next poll. Each
/// caller removes its own entry when it stops waiting, so nothing is left behind.
/// </summary>
internal sealed class HttpTriggerWaiters : IDisposable
{
    private readonly EngineStore _store;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    public HttpTriggerWaiters(EngineStore store)
    {
        _store = store;
        _store.InstancesFinished += OnFinished;
    }

    public TaskCompletionSource Add(string instanceId) =>
        _waiting.GetOrAdd(instanceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Remove(string instanceId) => _waiting.TryRemove(instanceId, out _);

    public void Dispose() => _store.InstancesFinished -= OnFinished;

    private void OnFinished(IReadOnlyList<string> ids)
    {
        foreach (var id in ids)
        {
            if (_waiting.TryGetValue(id, out var waiter))
            {
                waiter.TrySetResult();
            }
        }
    }
}
