namespace TaskFlow.Bench.Hangfire;

/// <summary>
/// The outcome of one <see cref="HangfireBaseline.RunAsync"/> run.
/// </summary>
/// <param name="Jobs">How many jobs were enqueued and found in the Succeeded state in storage at the end.</param>
/// <param name="Elapsed">Wall time from the first enqueue until storage showed every job Succeeded.</param>
/// <param name="JobsPerSecond"><paramref name="Jobs"/> divided by <paramref name="Elapsed"/>.</param>
/// <param name="WorkerCount">The worker count of the Hangfire server (Hangfire's default for this machine).</param>
public sealed record HangfireBaselineResult(int Jobs, TimeSpan Elapsed, double JobsPerSecond, int WorkerCount);
