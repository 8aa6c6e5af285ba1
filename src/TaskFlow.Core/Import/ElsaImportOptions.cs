namespace TaskFlow.Core.Import;

/// <summary>What to do with an activity that a project defines in its own code (a type outside <c>Elsa.</c> that names no workflow of the set).</summary>
public enum ElsaCustomActivities
{
    /// <summary>Refuse the workflow, naming the activity (the default): TaskFlow cannot know what the activity's code does.</summary>
    Refuse,

    /// <summary>
    /// Make it an <c>agent</c> task of capability <c>{type}</c>, with the activity's inputs as the task's
    /// input, for the project's own service to claim and complete; the outcome the service reports
    /// (<c>outcome</c> in its output, <c>Done</c> without one) chooses the port it leaves by.
    /// </summary>
    Task,
}

/// <summary>Choices an Elsa import leaves to its caller.</summary>
public sealed record ElsaImportOptions(ElsaCustomActivities CustomActivities = ElsaCustomActivities.Refuse)
{
    public static readonly ElsaImportOptions Default = new();

    /// <summary>Reads <c>refuse</c> or <c>task</c> (any casing); null for anything else.</summary>
    public static ElsaCustomActivities? ParseCustomActivities(string? text) =>
        text?.Trim().ToLowerInvariant() switch
        {
            "refuse" => ElsaCustomActivities.Refuse,
            "task" => ElsaCustomActivities.Task,
            _ => null,
        };
}
