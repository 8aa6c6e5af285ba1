namespace TaskFlow.Core.Model;

/// <summary>How often a failed attempt is tried again, and how long to wait in between.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed class RetryPolicy
{
    /// <summary>Total attempts including the first; 1 means no retry.</summary>
    public int MaxAttempts { get; set; } = 1;

    /// <summary><c>exponential</c> (default) or <c>fixed</c>.</summary>
    public string Backoff { get; set; } = "exponential";

    /// <summary>Delay before the first retry.</summary>
    public string Delay { get; set; } = "1s";

    /// <summary>Upper bound of any single delay.</summary>
    public string MaxDelay { get; set; } = "5m";

    /// <summary>Growth factor for exponential backoff.</summary>
    public double Factor { get; set; } = 2;
}
