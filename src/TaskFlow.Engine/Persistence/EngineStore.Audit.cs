namespace TaskFlow.Engine.Persistence;

/// <summary>One audited action: who, what, to what, when, and how it ended (the HTTP status).</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string? Role, string Action, string? Target, int Status, string? Detail);

/// <summary>What to read from the audit trail: any of the filters, newest first, before a cursor.</summary>
public sealed record AuditQuery(string? Actor = null, string? Action = null, string? Target = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null, long? Before = null, int Take = 100);

// The audit trail (tf_audit): appended by the server for every request that changes something,
// read by GET /api/audit. Rows are never updated; they are kept when instances are purged.
public abstract partial class EngineStore
{
    /// <summary>Appends one entry.</summary>
    public async Task AppendAuditAsync(string actor, string? role, string action, string? target, int status, string? detail, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("INSERT INTO tf_audit (at, actor, role, action, target, status, detail) VALUES (@at, @actor, @role, @action, @target, @status, @detail)");
        AddParameter(command, "at", session.Now.ToUnixTimeMilliseconds());
        AddParameter(command, "actor", actor);
        AddParameter(command, "role", role);
        AddParameter(command, "action", action);
        AddParameter(command, "target", target);
        AddParameter(command, "status", status);
        AddParameter(command, "detail", detail);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await session.CommitAsync(false, cancellationToken);
    }

    /// <summary>Entries matching <paramref name="query"/>, newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var where = new List<string>();
        await using var command = session.Command("");
        void Filter(string sql, string name, object? value)
        {
            if (value is not null)
            {
                where.Add(sql);
                AddParameter(command, name, value);
            }
        }

        Filter("actor = @actor", "actor", query.Actor);
        Filter("action = @action", "action", query.Action);
        Filter("target = @target", "target", query.Target);
        Filter("at >= @since", "since", query.Since?.ToUnixTimeMilliseconds());
        Filter("at < @until", "until", query.Until?.ToUnixTimeMilliseconds());
        Filter("id < @before", "before", query.Before);
        AddParameter(command, "take", query.Take);
        command.CommandText = "SELECT id, at, actor, role, action, target, status, detail FROM tf_audit"
            + (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where))
            + " ORDER BY id DESC LIMIT @take";
        var entries = new List<AuditEntry>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                entries.Add(new AuditEntry(
                    reader.GetInt64(0),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.GetInt32(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7)));
            }
        }

        await session.CommitAsync(false, cancellationToken);
        return entries;
    }
}
