using System.Diagnostics;

namespace TaskFlow.Bench.Fleet;

/// <summary>Resident memory of the fleet (every process below the bench) and of the bench's own process, which hosts the router.</summary>
internal sealed record FleetMemory(long FleetBytes, int FleetProcesses, long TaskFlowBytes, long ManagedHeapBytes)
{
    public static FleetMemory Measure()
    {
        // After a full collection: the router's live memory, not garbage waiting for a GC.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var children = ProcessTree.Descendants(Environment.ProcessId);
        return new FleetMemory(ProcessTree.ChildrenRss(), children.Count, ProcessTree.SelfRss(), GC.GetTotalMemory(forceFullCollection: false));
    }

    public override string ToString() =>
        $"fleet {MachineInfo.Mib(FleetBytes)} RSS in {FleetProcesses} processes; TaskFlow (router in the bench process) {MachineInfo.Mib(TaskFlowBytes)} RSS, managed heap {MachineInfo.Mib(ManagedHeapBytes)}";

    /// <summary>Waits until no process is left below the bench; returns those still there after the bound.</summary>
    public static async Task<IReadOnlyList<string>> WaitForNoChildrenAsync(TimeSpan bound)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var left = ProcessTree.Descendants(Environment.ProcessId);
            if (left.Count == 0 || Stopwatch.GetElapsedTime(started) > bound)
            {
                return [.. left.Select(p => $"{p.Pid} {ProcessTree.CommandLine(p.Pid)}")];
            }

            await Task.Delay(50);
        }
    }
}
