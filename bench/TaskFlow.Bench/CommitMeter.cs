using System.Diagnostics.Metrics;

namespace TaskFlow.Bench;

/// <summary>
/// Listens to the engine's own commit and activity-duration histograms during one run, to say
/// where a chain step's time goes: in commits (statements, flush) or elsewhere (dispatch, the
/// activity, the hop from one to the other).
/// </summary>
internal sealed class CommitMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private double _commitSeconds;
    private long _commits;
    private double _activitySeconds;
    private long _activities;

    public CommitMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TaskFlow.Engine.Diagnostics.EngineMetrics.MeterName && instrument.Name is "commit_duration_seconds" or "activity_duration_seconds")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "commit_duration_seconds")
            {
                Interlocked.Increment(ref _commits);
                lock (_listener)
                {
                    _commitSeconds += value;
                }
            }
            else
            {
                Interlocked.Increment(ref _activities);
                lock (_listener)
                {
                    _activitySeconds += value;
                }
            }
        });
        _listener.Start();
    }

    public long Commits => Interlocked.Read(ref _commits);

    public double CommitMilliseconds => _commitSeconds * 1000;

    public long Activities => Interlocked.Read(ref _activities);

    public double ActivityMilliseconds => _activitySeconds * 1000;

    public void Dispose() => _listener.Dispose();
}
