using System.Collections.Frozen;

namespace TaskFlow.Core.Templates.Ast;

// Accumulates TemplateReferences while walking one or more expression trees.
internal sealed class ReferenceCollector
{
    private readonly HashSet<string> _nodeIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _roots = new(StringComparer.Ordinal);
    private readonly HashSet<string> _secrets = new(StringComparer.Ordinal);

    public void AddRoot(string name) => _roots.Add(name);

    public void AddNodeId(string id) => _nodeIds.Add(id);

    public void AddSecret(string name) => _secrets.Add(name);

    public void Add(TemplateReferences references)
    {
        _nodeIds.UnionWith(references.NodeIds);
        _roots.UnionWith(references.Roots);
        _secrets.UnionWith(references.Secrets);
    }

    public TemplateReferences ToReferences() => _nodeIds.Count == 0 && _roots.Count == 0
        ? TemplateReferences.Empty
        : new(_nodeIds.ToFrozenSet(StringComparer.Ordinal), _roots.ToFrozenSet(StringComparer.Ordinal), _secrets.Count == 0 ? null : _secrets.ToFrozenSet(StringComparer.Ordinal));
}
