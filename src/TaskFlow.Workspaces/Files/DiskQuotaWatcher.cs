namespace TaskFlow.Workspaces.Files;

/// <summary>
/// Watches a workspace folder while a command runs, and stops the command (through the token it
/// hands out) once the folder's total passes the quota. The per-file limit (<c>RLIMIT_FSIZE</c>)
/// stops one big file; this stops many small ones.
/// </summary>
internal sealed class DiskQuotaWatcher : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _watching = new();
    private readonly string _folder;
    private readonly long _limit;
    private readonly Task _watcher;
    private int _exceeded;

    /// <summary>Starts watching; <see cref="Token"/> is <paramref name="cancellationToken"/>, also cancelled when the quota is passed.</summary>
    public DiskQuotaWatcher(string folder, long limit, TimeSpan interval, CancellationToken cancellationToken)
    {
        _folder = folder;
        _limit = limit;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _watcher = Task.Run(() => WatchAsync(interval), CancellationToken.None);
    }

    /// <summary>Cancelled when the caller cancels or the quota is passed.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Whether the folder passed the quota while the command ran, or has now, after it ended.</summary>
    public bool Exceeded(ExecTermination termination) =>
        Volatile.Read(ref _exceeded) == 1 || (termination != ExecTermination.DiskQuotaExceeded && DiskUsage.Measure(_folder, _limit) > _limit);

    /// <summary>Stops watching (the command ended).</summary>
    public async ValueTask DisposeAsync()
    {
        await _watching.CancelAsync();
        await _watcher;
        _watching.Dispose();
        _stop.Dispose();
    }

    private async Task WatchAsync(TimeSpan interval)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, _watching.Token);
                if (DiskUsage.Measure(_folder, _limit) > _limit)
                {
                    Volatile.Write(ref _exceeded, 1);
                    await _stop.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The command ended.
        }
    }
}
