namespace TaskFlow.Routing.CircuitBreaking;

/// <summary>Where a <see cref="CircuitBreaker"/> stands.</summary>
public enum CircuitState
{
    /// <summary>Calls pass; consecutive failures are counted.</summary>
    Closed,

    /// <summary>Calls are refused until the open period has passed.</summary>
    Open,

    /// <summary>A few probe calls pass to find out whether the server has recovered.</summary>
    HalfOpen,
}
