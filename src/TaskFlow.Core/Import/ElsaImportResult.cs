using System.Diagnostics.CodeAnalysis;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Import;

/// <summary>
/// The outcome of <see cref="ElsaImporter.Convert"/>: either a <see cref="Definition"/> with
/// <see cref="Notes"/> about what changed on the way, or the <see cref="Problems"/> that stopped it.
/// </summary>
public sealed class ElsaImportResult
{
    private ElsaImportResult(WorkflowDefinition? definition, IReadOnlyList<string> notes, IReadOnlyList<ElsaImportProblem> problems, IReadOnlyList<WorkflowDefinition>? companions = null)
    {
        Definition = definition;
        Notes = notes;
        Problems = problems;
        Companions = companions ?? [];
    }

    /// <summary>True when the workflow was converted; <see cref="Definition"/> is then set and <see cref="Problems"/> is empty.</summary>
    [MemberNotNullWhen(true, nameof(Definition))]
    public bool Succeeded => Definition is not null;

    /// <summary>The converted definition, not yet validated against a catalog or stored; null when the import failed.</summary>
    public WorkflowDefinition? Definition { get; }

    /// <summary>Lossy conversions the user should know about, such as an expression kept as text. Empty when the import failed.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// Definitions made from the same document that <see cref="Definition"/> runs as child workflows (the
    /// body of a loop of several activities), in the order to save them, all before <see cref="Definition"/>.
    /// Empty when there are none or the import failed.
    /// </summary>
    public IReadOnlyList<WorkflowDefinition> Companions { get; }

    /// <summary>Every reason the import failed, each naming its activity where there is one. Empty on success.</summary>
    public IReadOnlyList<ElsaImportProblem> Problems { get; }

    internal static ElsaImportResult Success(WorkflowDefinition definition, IReadOnlyList<string> notes, IReadOnlyList<WorkflowDefinition>? companions = null) =>
        new(definition, notes, [], companions);

    internal static ElsaImportResult Failure(IReadOnlyList<ElsaImportProblem> problems) => new(null, [], problems);

    internal static ElsaImportResult Failure(string message) => Failure([new ElsaImportProblem(null, null, message)]);

    /// <summary>A one-paragraph summary for logs and command-line output.</summary>
    public override string ToString() => Succeeded
        ? $"Converted Elsa workflow '{Definition.Id}' ({Definition.Nodes.Count} nodes, {Notes.Count} note{(Notes.Count == 1 ? "" : "s")})."
        : Problems.Count == 1
            ? $"The Elsa workflow cannot be imported: {Problems[0]}"
            : $"The Elsa workflow cannot be imported ({Problems.Count} problems):{Environment.NewLine}" +
              string.Join(Environment.NewLine, Problems.Select(p => "- " + p));
}
