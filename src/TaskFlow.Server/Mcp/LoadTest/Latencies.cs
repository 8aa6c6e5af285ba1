namespace TaskFlow.Server.Mcp.LoadTest;

/// <summary>Latencies of one series of calls, in microseconds; percentiles by nearest rank.</summary>
public sealed class Latencies
{
    private readonly List<double> _values = [];
    private double[]? _sorted;

    public int Count => _values.Count;

    public void Add(TimeSpan latency)
    {
        _values.Add(latency.TotalMicroseconds);
        _sorted = null;
    }

    public void AddRange(Latencies other)
    {
        _values.AddRange(other._values);
        _sorted = null;
    }

    /// <summary>The percentile in milliseconds; NaN when empty.</summary>
    public double PercentileMs(double percentile)
    {
        _sorted ??= [.. _values.Order()];
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)] / 1000;
    }

    public double MaxMs => PercentileMs(100);

    /// <summary>How many latencies are above the given milliseconds.</summary>
    public int CountAbove(double milliseconds) => _values.Count(v => v / 1000 > milliseconds);
}
