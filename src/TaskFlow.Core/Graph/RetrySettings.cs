using TaskFlow.Core.Model;

namespace TaskFlow.Core.Graph;

/// <summary>A node's retry policy with its durations parsed.</summary>
public sealed record RetrySettings(int MaxAttempts, bool Exponential, TimeSpan Delay, TimeSpan MaxDelay, double Factor)
{
    public static RetrySettings None { get; } = new(1, false, TimeSpan.Zero, TimeSpan.Zero, 1);

    public static RetrySettings From(RetryPolicy? policy) => policy is null
        ? None
        : new(policy.MaxAttempts, policy.Backoff != "fixed", Duration.Parse(policy.Delay, "retry.delay"), Duration.Parse(policy.MaxDelay, "retry.maxDelay"), policy.Factor);

    /// <summary>The wait before attempt <paramref name="nextAttempt"/> (2 for the first retry): delay * factor^(nextAttempt - 2), capped.</summary>
    public TimeSpan BackoffBefore(int nextAttempt)
    {
        if (!Exponential)
        {
            return Delay < MaxDelay ? Delay : MaxDelay;
        }

        var ms = Delay.TotalMilliseconds * Math.Pow(Factor, Math.Max(0, nextAttempt - 2));
        return ms >= MaxDelay.TotalMilliseconds ? MaxDelay : TimeSpan.FromMilliseconds(ms);
    }
}
