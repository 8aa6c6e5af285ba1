namespace TaskFlow.Engine.Persistence;

/// <summary>An instance's trace context as stored: its own root span's traceparent, and its parent instance's.</summary>
public sealed record InstanceTraceParents(string? Own, string? Parent, string DefinitionId, int DefinitionVersion);

// The instance's trace (tf_instances.trace_parent): written with the instance when tracing is on,
// or by the first node that runs with tracing on; never changed once set.
public abstract partial class EngineStore
{
    /// <summary>The instance's trace parents; null for an unknown instance.</summary>
    public async Task<InstanceTraceParents?> ReadTraceParentsAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        InstanceTraceParents? found = null;
        await using (var command = session.Command("SELECT i.trace_parent, p.trace_parent, i.definition_id, i.definition_version FROM tf_instances i LEFT JOIN tf_instances p ON p.id = i.parent_instance_id WHERE i.id = @i"))
        {
            AddParameter(command, "i", instanceId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                found = new InstanceTraceParents(
                    reader.IsDBNull(0) ? null : reader.GetString(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.GetString(2),
                    reader.GetInt32(3));
            }
        }

        await session.CommitAsync(false, cancellationToken);
        return found;
    }

    /// <summary>
    /// Stores <paramref name="traceParent"/> unless the instance has one already, and returns the
    /// one it has afterwards: two workers that start a root span for the same instance at once
    /// agree on the first.
    /// </summary>
    public async Task<string?> SetTraceParentAsync(string instanceId, string traceParent, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using (var update = session.Command("UPDATE tf_instances SET trace_parent = @t WHERE id = @i AND trace_parent IS NULL"))
        {
            AddParameter(update, "t", traceParent);
            AddParameter(update, "i", instanceId);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        string? stored;
        await using (var read = session.Command("SELECT trace_parent FROM tf_instances WHERE id = @i"))
        {
            AddParameter(read, "i", instanceId);
            stored = await read.ExecuteScalarAsync(cancellationToken) as string;
        }

        await session.CommitAsync(false, cancellationToken);
        return stored;
    }
}
