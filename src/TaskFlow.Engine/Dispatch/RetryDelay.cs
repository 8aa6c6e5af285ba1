namespace TaskFlow.Engine.Dispatch;

/// <summary>
/// Exponential backoff with jitter for reconnecting to the database: half of each delay is fixed
/// and half random, so the workers of a cluster that lost the database together (a restart, a
/// failover) do not all come back in the same millisecond, yet none waits much longer than the
/// exponential schedule says.
/// </summary>
internal static class RetryDelay
{
    /// <param name="attempt">1 for the first retry.</param>
    public static TimeSpan For(int attempt, TimeSpan initial, TimeSpan max)
    {
        var exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(max.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
