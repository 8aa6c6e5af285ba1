using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Upstreams;

internal sealed partial class UpstreamServer
{
    /// <summary>The cached tool list, or null when it was never fetched or has expired.</summary>
    public IReadOnlyList<Tool>? CachedTools =>
        _tools is { } tools && _time.GetElapsedTime(_toolsFetchedAt) < _routing.ToolCacheTtl ? tools : null;

    /// <summary>The tools to route by: the cached list, else the last one while a <c>tools/list_changed</c> waits for a new listing; null when unknown.</summary>
    public IReadOnlyList<Tool>? RoutableTools => CachedTools ?? _staleTools;

    /// <summary>The tool list, from the cache or fetched (starting the server if need be).</summary>
    public async Task<IReadOnlyList<Tool>> GetToolsAsync(CancellationToken cancellationToken)
    {
        // A tools/list_changed notification that arrives while a listing is in flight makes that
        // listing stale: it is never cached (it would hide the change for ToolCacheTtl) and is
        // fetched again, a few times at most for a server whose tools keep changing.
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            if (CachedTools is { } cached)
            {
                return cached;
            }

            var version = Volatile.Read(ref _toolsVersion);
            var tools = await FetchToolsAsync(cancellationToken);
            bool changed;
            lock (_lock)
            {
                if (version != _toolsVersion)
                {
                    if (attempt < attempts)
                    {
                        continue;
                    }

                    return tools;
                }

                changed = (_tools ?? _staleTools) is { } old && !old.Select(t => t.Name).SequenceEqual(tools.Select(t => t.Name), StringComparer.Ordinal);
                _tools = tools;
                _staleTools = null;
                _toolsFetchedAt = _time.GetTimestamp();
            }

            if (changed)
            {
                ToolsChanged?.Invoke(this);
            }

            return tools;
        }
    }

    private async Task<List<Tool>> FetchToolsAsync(CancellationToken cancellationToken)
    {
        var (connection, started) = await AcquireAsync(cancellationToken);
        try
        {
            var tools = new List<Tool>();
            string? cursor = null;
            do
            {
                var page = await connection.Client.ListToolsAsync(new ListToolsRequestParams { Cursor = cursor }, cancellationToken);
                tools.AddRange(page.Tools);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            return tools;
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken) && EndsConnection(ex))
        {
            throw Lost(connection, ex);
        }
        finally
        {
            Release(connection, started);
        }
    }

    /// <summary>Drops the cached tool list (a <c>tools/list_changed</c> notification arrived).</summary>
    public void InvalidateTools()
    {
        lock (_lock)
        {
            _toolsVersion++;
            _staleTools = _tools ?? _staleTools;
            _tools = null;
        }

        ToolsChanged?.Invoke(this);
    }
}
