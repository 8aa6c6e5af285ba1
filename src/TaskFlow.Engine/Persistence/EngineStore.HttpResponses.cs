namespace TaskFlow.Engine.Persistence;

// The answer to an http trigger's caller (http.respond). An instance answers at most once: the
// first http.respond node claims the instance's response key in tf_start_keys (the table of
// keys that something happens at most once for, across every process on the database), with a
// second key naming itself, in one transaction. A later attempt of the same node (after a crash
// or a retry) finds its own name and goes on; any other http.respond node finds the claim taken.
// The response itself is the claiming node's output; the waiting caller reads it from there.
public abstract partial class EngineStore
{
    private const string ResponseKeyPrefix = "http.respond:";

    /// <summary>
    /// Claims the right to answer an instance's HTTP caller for <paramref name="nodeId"/>. Null when
    /// claimed (now or by an earlier attempt of the same node); otherwise the id of the node that
    /// answered first.
    /// </summary>
    public async Task<string?> ClaimHttpResponseAsync(string instanceId, string nodeId, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var instanceKey = ResponseKeyPrefix + instanceId;
        var nodeKey = $"{instanceKey}:{nodeId}";
        await using var claim = session.Command("INSERT INTO tf_start_keys (start_key, instance_id, created_at) VALUES (@k, @i, @t) ON CONFLICT (start_key) DO NOTHING");
        AddParameter(claim, "k", instanceKey);
        AddParameter(claim, "i", instanceId);
        AddParameter(claim, "t", session.Now.ToUnixTimeMilliseconds());
        if (await claim.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            await using var name = session.Command("INSERT INTO tf_start_keys (start_key, instance_id, created_at) VALUES (@k, @i, @t)");
            AddParameter(name, "k", nodeKey);
            AddParameter(name, "i", instanceId);
            AddParameter(name, "t", session.Now.ToUnixTimeMilliseconds());
            await name.ExecuteNonQueryAsync(cancellationToken);
            await session.CommitAsync(false, cancellationToken);
            return null;
        }

        await using var holder = session.Command("SELECT start_key FROM tf_start_keys WHERE instance_id = @i AND start_key LIKE @p");
        AddParameter(holder, "i", instanceId);
        AddParameter(holder, "p", instanceKey + ":%");
        var key = (string?)await holder.ExecuteScalarAsync(cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        var first = key is null ? "another node" : key[(nodeKey.Length - nodeId.Length)..];
        return first == nodeId ? null : first;
    }
}
