namespace TaskFlow.Core.Import;

/// <summary>What one conversion knows beyond its document: the file it came from and the workflows it may use as activities.</summary>
internal sealed class ElsaImportContext
{
    public static readonly ElsaImportContext Empty = new(null, []);

    public ElsaImportContext(string? fileName, IReadOnlyList<ElsaWorkflowReference> workflows, ElsaImportOptions? options = null)
    {
        FileName = fileName;
        Workflows = workflows;
        Options = options ?? ElsaImportOptions.Default;
    }

    public ElsaImportOptions Options { get; }

    /// <summary>The file name, whose stem is the definition id when the document has none.</summary>
    public string? FileName { get; }

    public IReadOnlyList<ElsaWorkflowReference> Workflows { get; }

    /// <summary>The workflow an activity of <paramref name="type"/> runs, or null when it names none.</summary>
    public ElsaWorkflowReference? Resolve(string? type, string? workflowDefinitionId) =>
        Workflows.FirstOrDefault(w => workflowDefinitionId is not null && w.Names.Contains(workflowDefinitionId, StringComparer.Ordinal))
        ?? Workflows.FirstOrDefault(w => w.Matches(type, null));
}
