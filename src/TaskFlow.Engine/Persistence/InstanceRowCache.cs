using System.Collections.Concurrent;
using TaskFlow.Core.Model;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// The running instances' rows as this process last wrote them, with their row versions and the
/// node states written with them, so the next commit of such an instance can compute its
/// transition before touching the database and send the whole commit as one guarded batch.
/// </summary>
/// <remarks>
/// An entry is a hint, never the truth: the guarded commit checks in the database, under the row
/// lock, that the row is still at the cached version; when another process or another transaction
/// changed it, nothing is written and the commit takes the ordinary path, which reads the row.
/// Node states are only ever written together with their instance row (every commit, start and
/// cancellation updates it), so an unchanged row version also vouches for the cached states.
/// An instance whose check failed once is shared with another writer (typically a fan-out that
/// several worker processes work on): it is not cached again, so its commits do not keep paying a
/// failed check (and an error line in PostgreSQL's log) before the ordinary commit.
/// Bounded: when full it is emptied, which costs each instance one ordinary commit.
/// </remarks>
public sealed class InstanceRowCache(int capacity = 4096, int statesPerInstance = 256)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _contended = new(StringComparer.Ordinal);

    /// <summary>A copy of the cached row, safe to change, and the node states cached with it (read only).</summary>
    public bool TryGet(string instanceId, out InstanceRecord row, out IReadOnlyDictionary<string, NodeStateRecord> states)
    {
        if (_entries.TryGetValue(instanceId, out var entry))
        {
            row = entry.Row.Clone();
            states = entry.States;
            return true;
        }

        row = null!;
        states = null!;
        return false;
    }

    /// <summary>
    /// Keeps what a committed transaction wrote: running instances with a known version and their
    /// node states; finished ones are dropped. With <paramref name="carryStates"/> (the transaction
    /// was checked against the cached version) the states cached before are kept too.
    /// </summary>
    public void Remember(PendingWrites writes, bool carryStates)
    {
        foreach (var row in writes.NewInstances.Concat(writes.ChangedInstances).Reverse().DistinctBy(r => r.Id))
        {
            if (row.Status != (int)InstanceStatus.Running || row.RowVersion == 0 || _contended.ContainsKey(row.Id))
            {
                _entries.TryRemove(row.Id, out _);
                if (row.Status != (int)InstanceStatus.Running)
                {
                    _contended.TryRemove(row.Id, out _);
                }

                continue;
            }

            var states = carryStates && _entries.TryGetValue(row.Id, out var before) && before.States.Count < statesPerInstance
                ? new Dictionary<string, NodeStateRecord>(before.States, StringComparer.Ordinal)
                : new Dictionary<string, NodeStateRecord>(StringComparer.Ordinal);
            foreach (var state in writes.States)
            {
                if (state.InstanceId == row.Id)
                {
                    states[state.NodeId] = state;
                }
            }

            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }

            _entries[row.Id] = new Entry(row.Clone(), states);
        }
    }

    /// <summary>Drops the instance after a failed check and never caches it again (until it finishes).</summary>
    public void MarkContended(string instanceId)
    {
        _entries.TryRemove(instanceId, out _);
        if (_contended.Count >= capacity)
        {
            _contended.Clear();
        }

        _contended[instanceId] = 0;
    }

    private sealed record Entry(InstanceRecord Row, Dictionary<string, NodeStateRecord> States);
}
