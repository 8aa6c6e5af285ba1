namespace TaskFlow.Engine.Activities;

/// <summary>Names an activity type and places it in the catalog.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityAttribute(string type) : Attribute
{
    public string Type { get; } = type;

    public string Category { get; init; } = "General";

    public string Description { get; init; } = "";

    /// <summary>Outcome ports besides <c>done</c>, comma separated.</summary>
    public string? Outcomes { get; init; }
}
