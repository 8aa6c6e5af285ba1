using System.Diagnostics;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// Kills one server's process tree (SIGKILL) while a few callers keep calling its probe through
/// the router, and times the kill until a call is answered again: the restart, the breaker and
/// the pool together, as a user sees it.
/// </summary>
internal static class RecoveryRun
{
    private const int Callers = 4;

    public static async Task<RecoveryFigures> RunAsync(McpRouter router, FleetLaunch launch, FleetServer server, TimeSpan bound, CancellationToken cancellationToken)
    {
        var call = ProbeCall.For(server);
        if (await ProbeCall.TryAsync(router, call, cancellationToken) is { } before)
        {
            throw new InvalidOperationException($"{server.Name} did not answer its probe before the kill: {before}");
        }

        var pids = ProcessTree.ChildrenMatching(launch.ProcessMarker(server));
        if (pids.Count == 0)
        {
            throw new InvalidOperationException($"No process of {server.Name} was found among this process's children.");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long ok = 0, failed = 0;
        string? firstError = null;
        long recoveredAt = 0;
        var states = new List<string>();
        var killed = 0;
        var killedAt = Stopwatch.GetTimestamp();
        foreach (var pid in pids)
        {
            killed += ProcessTree.KillTree(pid);
        }

        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var state = router.GetStatus().First(s => s.Name == server.Name).Breaker.ToString();
                lock (states)
                {
                    if (!states.Contains(state))
                    {
                        states.Add(state);
                    }
                }

                await Task.Delay(10, CancellationToken.None);
            }
        }, CancellationToken.None);

        var callers = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var error = await ProbeCall.TryAsync(router, call, CancellationToken.None);
                if (error is null)
                {
                    Interlocked.Increment(ref ok);
                    Interlocked.CompareExchange(ref recoveredAt, Stopwatch.GetTimestamp(), 0);
                    if (Interlocked.Read(ref ok) >= 20)
                    {
                        stop.Cancel();
                    }
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error, null);
                    await Task.Delay(10, CancellationToken.None);
                }
            }
        }, CancellationToken.None)).ToList();

        stop.CancelAfter(bound);
        await Task.WhenAll(callers);
        await stop.CancelAsync();
        await watcher;
        var recovered = recoveredAt == 0 ? (TimeSpan?)null : Stopwatch.GetElapsedTime(killedAt, recoveredAt);
        var status = router.GetStatus().First(s => s.Name == server.Name);
        return new RecoveryFigures(server.Name, killed, recovered, ok, failed, firstError, states, status.LastError);
    }
}
