using System.Diagnostics.Metrics;
using TaskFlow.Core.Model;

namespace TaskFlow.Engine.Diagnostics;

/// <summary>
/// The engine's metrics (meter <c>TaskFlow.Engine</c>), exported by the server at <c>/metrics</c>
/// as <c>taskflow_engine_instances_started</c>, <c>..._instances_finished{status}</c>,
/// <c>..._activity_duration_seconds{type,result}</c>, <c>..._queue_depth</c>,
/// <c>..._worker_utilization</c>, <c>..._leases_reclaimed</c>, <c>..._claim_batch_size</c>,
/// <c>..._commit_batch_size</c> and <c>..._commit_duration_seconds</c>.
/// Counters count committed transitions only, so a re-run activity is not counted twice.
/// </summary>
public sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "TaskFlow.Engine";

    private readonly Meter _meter;
    private long _queueDepth;
    private Func<(int InFlight, int Capacity)>? _workers;

    /// <param name="meters">The host's meter factory; hosts register one. Without it the meter is created directly.</param>
    public EngineMetrics(IMeterFactory? meters = null)
    {
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        InstancesStarted = _meter.CreateCounter<long>("instances_started", description: "Instances started (children included).");
        InstancesFinished = _meter.CreateCounter<long>("instances_finished", description: "Instances finished, by status (Succeeded, Failed, Cancelled).");
        ActivityDuration = _meter.CreateHistogram<double>("activity_duration_seconds", unit: "s", description: "Time one activity execution took, by activity type and result.");
        LeasesReclaimed = _meter.CreateCounter<long>("leases_reclaimed", description: "Work items claimed again after their lease expired or was released (a worker crashed, stalled or stopped).");
        ClaimBatchSize = _meter.CreateHistogram<int>("claim_batch_size", description: "Work items one claim took from the queue (claims that found none are not counted).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        CommitBatchSize = _meter.CreateHistogram<int>("commit_batch_size", description: "Finished activities one commit made durable.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        CommitDuration = _meter.CreateHistogram<double>("commit_duration_seconds", unit: "s", description: "Time one commit of finished activities took, round trips and flush included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

        _meter.CreateObservableGauge("queue_depth", () => Interlocked.Read(ref _queueDepth), description: "Work items due now and not leased, sampled by the worker.");
        _meter.CreateObservableGauge("worker_utilization", () =>
        {
            var (inFlight, capacity) = _workers?.Invoke() ?? (0, 0);
            return capacity == 0 ? 0 : (double)inFlight / capacity;
        }, description: "Share of this process's activity slots in use (0 to 1).");
    }

    /// <summary>
    /// Records zero on every counter (each status of finished instances), so that a rate or a
    /// ratio has a series before the first event. An exporter calls this once it listens: a
    /// measurement made before then reaches no one.
    /// </summary>
    public void PublishZeros()
    {
        InstancesStarted.Add(0);
        foreach (var status in new[] { InstanceStatus.Succeeded, InstanceStatus.Failed, InstanceStatus.Cancelled })
        {
            RecordFinished(status, 0);
        }

        LeasesReclaimed.Add(0);
    }

    /// <summary>This engine's meter; exporters filter on it so that two hosts in one process stay apart.</summary>
    public Meter Meter => _meter;

    public Counter<long> InstancesStarted { get; }

    public Counter<long> InstancesFinished { get; }

    public Histogram<double> ActivityDuration { get; }

    public Counter<long> LeasesReclaimed { get; }

    public Histogram<int> ClaimBatchSize { get; }

    public Histogram<int> CommitBatchSize { get; }

    public Histogram<double> CommitDuration { get; }

    /// <summary>Counts a claim: how many items it took, and how many of them had been claimed before.</summary>
    internal void RecordClaim(IReadOnlyList<Persistence.ClaimedWork> claimed)
    {
        if (claimed.Count == 0)
        {
            return;
        }

        ClaimBatchSize.Record(claimed.Count);
        var reclaimed = 0;
        foreach (var work in claimed)
        {
            if (work.Claims > 1)
            {
                reclaimed++;
            }
        }

        if (reclaimed > 0)
        {
            LeasesReclaimed.Add(reclaimed);
        }
    }

    internal void RecordCommit(int finished, TimeSpan duration)
    {
        CommitBatchSize.Record(finished);
        CommitDuration.Record(duration.TotalSeconds);
    }

    public void RecordFinished(InstanceStatus status, long count = 1) =>
        InstancesFinished.Add(count, new KeyValuePair<string, object?>("status", status.ToString()));

    public void RecordActivity(string type, string result, TimeSpan duration) =>
        ActivityDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("result", result));

    internal void SetQueueDepth(long depth) => Interlocked.Exchange(ref _queueDepth, depth);

    internal void ObserveWorkers(Func<(int InFlight, int Capacity)> workers) => _workers = workers;

    public void Dispose() => _meter.Dispose();
}
