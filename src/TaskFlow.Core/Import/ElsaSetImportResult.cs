namespace TaskFlow.Core.Import;

/// <summary>
/// The outcome of <see cref="ElsaImporter.ConvertSet"/>: one result per document, in the order to save
/// them (a workflow after the ones it uses as activities).
/// </summary>
public sealed class ElsaSetImportResult(IReadOnlyList<ElsaSetImportItem> items)
{
    public IReadOnlyList<ElsaSetImportItem> Items { get; } = items;

    /// <summary>True when every document was converted.</summary>
    public bool Succeeded => Items.Count > 0 && Items.All(i => i.Result.Succeeded);

    /// <summary>The items of the documents themselves, without the companion definitions made from them.</summary>
    public IEnumerable<ElsaSetImportItem> Documents => Items.Where(i => i.MadeFrom is null);

    /// <summary>A summary per document, for logs and command-line output.</summary>
    public override string ToString() => string.Join(Environment.NewLine, Items.Select(i => $"{i.Name}: {i.Result}"));
}

/// <summary>
/// One document of a set and what became of it; or, with <paramref name="MadeFrom"/>, a companion
/// definition made from that document (see <see cref="ElsaImportResult.Companions"/>), listed before it.
/// </summary>
public sealed record ElsaSetImportItem(string Name, ElsaImportResult Result, string? MadeFrom = null);
