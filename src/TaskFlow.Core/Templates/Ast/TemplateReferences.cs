using System.Collections.Frozen;

namespace TaskFlow.Core.Templates.Ast;

// What a template reads: scope roots, node ids and secret names named literally.
internal sealed class TemplateReferences(IReadOnlySet<string> nodeIds, IReadOnlySet<string> roots, IReadOnlySet<string>? secrets = null)
{
    public static TemplateReferences Empty { get; } = new(FrozenSet<string>.Empty, FrozenSet<string>.Empty);

    public IReadOnlySet<string> NodeIds { get; } = nodeIds;

    public IReadOnlySet<string> Roots { get; } = roots;

    /// <summary>Secrets named literally (<c>secrets.NAME</c>, <c>secrets['NAME']</c>).</summary>
    public IReadOnlySet<string> Secrets { get; } = secrets ?? FrozenSet<string>.Empty;
}
