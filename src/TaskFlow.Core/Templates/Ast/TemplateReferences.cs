using System.Collections.Frozen;

namespace TaskFlow.Core.Templates.Ast;

// What a template reads: scope roots and node ids named literally.
internal sealed class TemplateReferences(IReadOnlySet<string> nodeIds, IReadOnlySet<string> roots)
{
    public static TemplateReferences Empty { get; } = new(FrozenSet<string>.Empty, FrozenSet<string>.Empty);

    public IReadOnlySet<string> NodeIds { get; } = nodeIds;

    public IReadOnlySet<string> Roots { get; } = roots;
}
