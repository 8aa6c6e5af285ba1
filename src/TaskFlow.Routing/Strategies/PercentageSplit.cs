namespace TaskFlow.Routing.Strategies;

/// <summary>
/// Staged rollout: decides, call by call, whether a call goes to the new server, so that exactly
/// <see cref="Percent"/> of calls do, evenly spread rather than random. Call n (counting from 1)
/// goes to the new server when <c>floor(n * p)</c> steps up from <c>floor((n - 1) * p)</c>, with
/// p the share: at 5% that is every 20th call, and any 100 consecutive calls hold exactly 5. A
/// random split would only approach the share, and a short ramp at a low percentage could send
/// none or a burst.
/// </summary>
/// <remarks>
/// Thread-safe and lock-free: every call takes its own number with one interlocked increment, so
/// concurrent callers together still get the exact share. The share is kept in parts per million
/// (a resolution of 0.0001%), so the arithmetic is exact integers with no rounding drift.
/// Changing <see cref="Percent"/> takes effect on the next call: 0 rolls back at once, and a ramp
/// from 10 to 20 sends every 5th call from then on.
/// </remarks>
public sealed class PercentageSplit
{
    private const long Million = 1_000_000;

    private long _calls;
    private double _percent;
    private long _partsPerMillion;

    /// <param name="percent">The share of calls for the new server, 0 to 100.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percent"/> is not 0 to 100.</exception>
    public PercentageSplit(double percent) => Percent = percent;

    /// <summary>
    /// The share of calls for the new server, 0 to 100; settable at run time (0 to roll back).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not 0 to 100 (NaN included).</exception>
    public double Percent
    {
        get => Volatile.Read(ref _percent);
        set
        {
            if (!(value is >= 0 and <= 100))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The percentage must be from 0 to 100.");
            }

            Volatile.Write(ref _percent, value);
            Volatile.Write(ref _partsPerMillion, (long)Math.Round(value * (Million / 100)));
        }
    }

    /// <summary>Whether this call goes to the new server. Lock-free and allocation-free.</summary>
    public bool Next()
    {
        var share = Volatile.Read(ref _partsPerMillion);
        var n = Interlocked.Increment(ref _calls);

        // The pattern repeats every million calls (it then has gained exactly `share` hits), so only
        // the position within the cycle matters: m in 1..1,000,000, and m * share fits in a long.
        var m = ((n - 1) % Million) + 1;
        return (m * share / Million) > ((m - 1) * share / Million);
    }
}
