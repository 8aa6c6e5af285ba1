namespace TaskFlow.Core.Import;

/// <summary>One reason why an Elsa workflow cannot be imported.</summary>
/// <param name="ActivityId">The Elsa activity the problem is about; null when it concerns the whole document.</param>
/// <param name="ActivityType">The Elsa activity type, such as <c>Elsa.HttpEndpoint</c>; null when unknown.</param>
/// <param name="Message">What is wrong and what the user can do about it.</param>
public sealed record ElsaImportProblem(string? ActivityId, string? ActivityType, string Message)
{
    public override string ToString() =>
        ActivityId is null ? Message : $"Activity '{ActivityId}' ({ActivityType ?? "no type"}): {Message}";
}
