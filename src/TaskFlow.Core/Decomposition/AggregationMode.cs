namespace TaskFlow.Core.Decomposition;

/// <summary>How an <c>aggregate</c> node combines the results it is given.</summary>
public enum AggregationMode
{
    /// <summary>In order, each result after the one before it.</summary>
    Sequential,

    /// <summary>As a set of independent results, listed in the order they finished.</summary>
    Parallel,

    /// <summary>A score: sum(w_i * s_i) / sum(w_i), where s_i is a succeeded result's score (0 to 1, default 1) and 0 otherwise.</summary>
    Weighted,
}
