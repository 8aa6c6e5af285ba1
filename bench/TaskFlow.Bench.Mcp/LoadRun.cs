using System.Diagnostics;

namespace TaskFlow.Bench.Mcp;

/// <summary>Closed-loop load: each worker starts its next call when the previous one returns.</summary>
internal static class LoadRun
{
    /// <summary>
    /// One call at a time, each one timed, the sides taking turns in the order A B B A, so that a
    /// slow moment of the machine or the server falls on both sides alike.
    /// </summary>
    public static async Task<PhaseFigures[]> InterleavedLatencyAsync(IReadOnlyList<EchoSide> sides, int callsPerSide, CancellationToken cancellationToken)
    {
        var samples = sides.Select(_ => new long[callsPerSide]).ToArray();
        var errors = sides.Select(_ => new ErrorCount()).ToArray();
        for (var i = 0; i < callsPerSide; i++)
        {
            for (var turn = 0; turn < sides.Count; turn++)
            {
                var s = i % 2 == 0 ? turn : sides.Count - 1 - turn;
                var started = Stopwatch.GetTimestamp();
                await CallOnceAsync(sides[s], 0, errors[s], cancellationToken);
                samples[s][i] = Stopwatch.GetTimestamp() - started;
            }
        }

        return [.. sides.Select((side, s) =>
        {
            var total = samples[s].Sum();
            Array.Sort(samples[s]);
            return new PhaseFigures(1, callsPerSide, Stopwatch.GetElapsedTime(0, total), Microseconds(samples[s], 0.50), Microseconds(samples[s], 0.99), double.NaN, double.NaN, side.Connections, errors[s].Count, errors[s].First);
        })];
    }

    /// <summary><paramref name="concurrency"/> workers share <paramref name="calls"/> calls; timed from the first start to the last return.</summary>
    public static async Task<PhaseFigures> ThroughputAsync(EchoSide side, int concurrency, int calls, CancellationToken cancellationToken)
    {
        var remaining = calls;
        var errors = new ErrorCount();
        var before = Snapshot.Take();
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var worker = w;
            workers[w] = Task.Run(
                async () =>
                {
                    while (Interlocked.Decrement(ref remaining) >= 0)
                    {
                        await CallOnceAsync(side, worker, errors, cancellationToken);
                    }
                },
                cancellationToken);
        }

        await Task.WhenAll(workers);
        var after = Snapshot.Take();
        return new PhaseFigures(
            concurrency,
            calls,
            Stopwatch.GetElapsedTime(before.Timestamp, after.Timestamp),
            double.NaN,
            double.NaN,
            (after.Cpu - before.Cpu).TotalMicroseconds / calls,
            (after.Allocated - before.Allocated) / (double)calls,
            side.Connections,
            errors.Count,
            errors.First);
    }

    /// <summary>
    /// Throughput of each side in <paramref name="blocks"/> blocks, the sides taking turns A B B A
    /// (as in <see cref="InterleavedLatencyAsync"/>); each side's blocks are summed.
    /// </summary>
    public static async Task<PhaseFigures[]> InterleavedThroughputAsync(IReadOnlyList<EchoSide> sides, int concurrency, int callsPerSide, int blocks, CancellationToken cancellationToken)
    {
        var totals = new PhaseFigures?[sides.Count];
        for (var b = 0; b < blocks; b++)
        {
            var calls = (callsPerSide / blocks) + (b < callsPerSide % blocks ? 1 : 0);
            for (var turn = 0; turn < sides.Count; turn++)
            {
                var s = b % 2 == 0 ? turn : sides.Count - 1 - turn;
                var block = await ThroughputAsync(sides[s], concurrency, calls, cancellationToken);
                totals[s] = totals[s] is { } sum ? sum.Add(block) : block;
            }
        }

        return [.. totals.Select(t => t!)];
    }

    private static async Task CallOnceAsync(EchoSide side, int worker, ErrorCount errors, CancellationToken cancellationToken)
    {
        try
        {
            var result = await side.CallAsync(worker, cancellationToken);
            if (!EchoSide.IsEcho(result))
            {
                errors.Add($"unexpected answer (isError {result.IsError}, {result.Content.Count} content blocks)");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            errors.Add($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static double Microseconds(long[] sorted, double percentile) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile * sorted.Length) - 1)] * 1_000_000.0 / Stopwatch.Frequency;

    private readonly record struct Snapshot(long Timestamp, TimeSpan Cpu, long Allocated)
    {
        public static Snapshot Take() => new(Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime, GC.GetTotalAllocatedBytes(precise: false));
    }

    private sealed class ErrorCount
    {
        private int _count;
        private string? _first;

        public int Count => Volatile.Read(ref _count);

        public string? First => Volatile.Read(ref _first);

        public void Add(string error)
        {
            Interlocked.Increment(ref _count);
            Interlocked.CompareExchange(ref _first, error, null);
        }
    }
}
