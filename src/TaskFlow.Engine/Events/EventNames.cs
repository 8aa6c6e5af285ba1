namespace TaskFlow.Engine.Events;

/// <summary>What an event's name may be, for whoever sends one.</summary>
public static class EventNames
{
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="name"/> cannot name an event, or null when it can.</summary>
    public static string? Problem(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > MaxLength || name.Any(char.IsControl)
            ? $"An event name is 1 to {MaxLength} characters, without control characters."
            : null;
}
