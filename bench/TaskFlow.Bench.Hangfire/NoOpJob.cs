namespace TaskFlow.Bench.Hangfire;

/// <summary>
/// The job Hangfire runs in the baseline: it does nothing but count itself, so a run
/// measures the engine's own overhead per job and nothing else.
/// </summary>
/// <remarks>
/// The count is process-wide, which is safe because <see cref="HangfireBaseline"/> lets one
/// run at a time into a process (runs share one schema anyway). It only tells the run when
/// to start asking storage: a job has run before it is Succeeded, and the run's end is
/// decided by the Succeeded count in storage, never by this counter.
/// </remarks>
internal static class NoOpJob
{
    private static int s_executed;
    private static int s_target = int.MaxValue;
    private static TaskCompletionSource s_allExecuted = NewSignal();

    /// <summary>Starts a new count; the returned task completes once <paramref name="target"/> jobs have run.</summary>
    public static Task Expect(int target)
    {
        var signal = NewSignal();
        Volatile.Write(ref s_allExecuted, signal);
        Volatile.Write(ref s_target, target);
        Interlocked.Exchange(ref s_executed, 0);
        return signal.Task;
    }

    /// <summary>The job body. Public because Hangfire only invokes public methods.</summary>
    public static void Run()
    {
        // >= rather than ==: a job that Hangfire re-runs (at-least-once delivery) counts twice,
        // and the signal must still fire; TrySetResult makes the extra calls harmless.
        if (Interlocked.Increment(ref s_executed) >= Volatile.Read(ref s_target))
        {
            Volatile.Read(ref s_allExecuted).TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
