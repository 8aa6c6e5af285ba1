using System.Collections.Concurrent;
using TaskFlow.Core.Model;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// The running instances' rows as this process last wrote them, with their row versions, so the
/// next commit of such an instance can compute its transition before touching the database and
/// send the whole commit as one guarded batch.
/// </summary>
/// <remarks>
/// An entry is a hint, never the truth: the guarded commit checks in the database, under the row
/// lock, that the row is still at the cached version; when another process or another transaction
/// changed it, nothing is written and the commit takes the ordinary path, which reads the row.
/// Bounded: when full it is emptied, which costs each instance one ordinary commit.
/// </remarks>
public sealed class InstanceRowCache(int capacity = 4096)
{
    private readonly ConcurrentDictionary<string, InstanceRecord> _rows = new(StringComparer.Ordinal);

    /// <summary>A copy of the cached row, safe to change.</summary>
    public bool TryGet(string instanceId, out InstanceRecord row)
    {
        if (_rows.TryGetValue(instanceId, out var cached))
        {
            row = cached.Clone();
            return true;
        }

        row = null!;
        return false;
    }

    /// <summary>Keeps a copy of rows written by a committed transaction: running ones with a known version; the others are dropped.</summary>
    public void Remember(IEnumerable<InstanceRecord> written)
    {
        foreach (var row in written)
        {
            if (row.Status != (int)InstanceStatus.Running || row.RowVersion == 0)
            {
                _rows.TryRemove(row.Id, out _);
                continue;
            }

            if (_rows.Count >= capacity)
            {
                _rows.Clear();
            }

            _rows[row.Id] = row.Clone();
        }
    }

    public void Forget(string instanceId) => _rows.TryRemove(instanceId, out _);
}
