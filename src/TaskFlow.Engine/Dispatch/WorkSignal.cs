namespace TaskFlow.Engine.Dispatch;

/// <summary>An auto-reset wake-up for the claim loop: a signal set while nobody waits is kept for the next wait.</summary>
public sealed class WorkSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private long _generation;

    /// <summary>How many times the signal was set: a change since an earlier reading means work may have become available since then.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public void Set()
    {
        Interlocked.Increment(ref _generation);
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set: one pending wake-up is enough.
        }
    }

    /// <summary>Waits for a signal or the timeout; true when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}
