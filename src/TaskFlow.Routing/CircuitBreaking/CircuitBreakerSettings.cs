namespace TaskFlow.Routing.CircuitBreaking;

/// <summary>The report's <c>circuit_breakers</c> block: the settings of every server's breaker.</summary>
public sealed record CircuitBreakerSettings(int FailureThreshold, TimeSpan OpenDuration, int HalfOpenRequests)
{
    public static CircuitBreakerSettings Default { get; } = new(5, TimeSpan.FromSeconds(30), 3);
}
