using System.Diagnostics.Metrics;
using TaskFlow.Core.Model;

namespace TaskFlow.Engine.Diagnostics;

/// <summary>
/// The engine's metrics (meter <c>TaskFlow.Engine</c>), exported by the server at <c>/metrics</c>
/// as <c>taskflow_engine_instances_started</c>, <c>..._instances_finished{status}</c>,
/// <c>..._activity_duration_seconds{type,result}</c>, <c>..._queue_depth</c> and
/// <c>..._worker_utilization</c>.
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
        _meter.CreateObservableGauge("queue_depth", () => Interlocked.Read(ref _queueDepth), description: "Work items due now and not leased, sampled by the worker.");
        _meter.CreateObservableGauge("worker_utilization", () =>
        {
            var (inFlight, capacity) = _workers?.Invoke() ?? (0, 0);
            return capacity == 0 ? 0 : (double)inFlight / capacity;
        }, description: "Share of this process's activity slots in use (0 to 1).");
    }

    /// <summary>This engine's meter; exporters filter on it so that two hosts in one process stay apart.</summary>
    public Meter Meter => _meter;

    public Counter<long> InstancesStarted { get; }

    public Counter<long> InstancesFinished { get; }

    public Histogram<double> ActivityDuration { get; }

    public void RecordFinished(InstanceStatus status, long count = 1) =>
        InstancesFinished.Add(count, new KeyValuePair<string, object?>("status", status.ToString()));

    public void RecordActivity(string type, string result, TimeSpan duration) =>
        ActivityDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("result", result));

    internal void SetQueueDepth(long depth) => Interlocked.Exchange(ref _queueDepth, depth);

    internal void ObserveWorkers(Func<(int InFlight, int Capacity)> workers) => _workers = workers;

    public void Dispose() => _meter.Dispose();
}
