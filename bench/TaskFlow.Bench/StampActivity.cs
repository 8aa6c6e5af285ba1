using System.Collections.Concurrent;
using System.Diagnostics;
using TaskFlow.Core.Activities;
using TaskFlow.Engine.Activities;

namespace TaskFlow.Bench;

/// <summary>A no-op that records when it starts and ends, to measure completion-to-start latency with a monotonic clock.</summary>
[Activity("bench.stamp", Category = "Benchmark", Description = "No-op that records timestamps.")]
internal sealed class StampActivity : IActivity
{
    public static readonly ConcurrentDictionary<string, (long Start, long End)> Stamps = new();

    public ValueTask<ActivityResult> ExecuteAsync(TaskFlow.Engine.Activities.ActivityContext context)
    {
        var start = Stopwatch.GetTimestamp();
        Stamps[context.NodeId] = (start, Stopwatch.GetTimestamp());
        return ValueTask.FromResult(ActivityResult.Succeeded());
    }
}

/// <summary>The same no-op, declared pure: its steps run inside the commit that readied them, without a checkpoint of their own.</summary>
[Activity("bench.stamp-pure", Category = "Benchmark", Description = "No-op that records timestamps, declared pure.", Pure = true)]
internal sealed class PureStampActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(TaskFlow.Engine.Activities.ActivityContext context)
    {
        var start = Stopwatch.GetTimestamp();
        StampActivity.Stamps[context.NodeId] = (start, Stopwatch.GetTimestamp());
        return ValueTask.FromResult(ActivityResult.Succeeded());
    }
}
