using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// target.a[0]["b"]. Segments are a flat list, not nested nodes, so a long path does not
// deepen the tree. A null (or missing) value anywhere along the path makes the whole path null.
internal sealed class PathNode(int start, ExprNode target, PathSegment[] segments) : ExprNode(start)
{
    private const string NodesRoot = "nodes";
    private const string SecretsRoot = "secrets";

    public ExprNode Target { get; } = target;

    public IReadOnlyList<PathSegment> Segments => segments;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        var current = Target.Evaluate(context);
        foreach (var segment in segments)
        {
            context.Step();
            if (current.IsNull)
            {
                return Value.Null;
            }

            current = segment.Index is null
                ? Member(current, segment.Name!)
                : Index(current, segment.Index.Evaluate(context));
        }

        return current;
    }

    public override void CollectReferences(ReferenceCollector collector)
    {
        Target.CollectReferences(collector);
        foreach (var segment in segments)
        {
            segment.Index?.CollectReferences(collector);
        }

        if (Target is RootNode { Name: NodesRoot or SecretsRoot } root)
        {
            var first = segments[0];
            var name = first.Name ?? (first.Index is LiteralNode { Value.Kind: ValueKind.String } literal ? literal.Value.AsString : null);
            if (name is not null)
            {
                if (root.Name == NodesRoot)
                {
                    collector.AddNodeId(name);
                }
                else
                {
                    collector.AddSecret(name);
                }
            }
        }
    }

    private static Value Member(Value target, string name)
    {
        if (target.Kind == ValueKind.Object)
        {
            return target.AsObject.TryGetPropertyValue(name, out var node) ? Value.FromNode(node) : Value.Null;
        }

        var hint = target.Kind is ValueKind.Array or ValueKind.String && name == "length" ? "; use length(x)" : "";
        throw new EvaluationFailedException($"cannot read member '{name}' of {target.TypeNameWithArticle}, only objects have members{hint}");
    }

    private static Value Index(Value target, Value index)
    {
        if (index.IsNull)
        {
            return Value.Null;
        }

        switch (target.Kind)
        {
            case ValueKind.Object when index.Kind == ValueKind.String:
                return Member(target, index.AsString);
            case ValueKind.Object:
                throw new EvaluationFailedException($"an object index must be a string, got {index.TypeName}");
            case ValueKind.Array when index.Kind == ValueKind.Number:
                var position = index.AsNumber;
                if (position != decimal.Truncate(position))
                {
                    throw new EvaluationFailedException($"an array index must be a whole number, got {JsonNumber.Format(position)}");
                }

                return position < 0 || position >= target.Count ? Value.Null : target.GetItem((int)position);
            case ValueKind.Array:
                throw new EvaluationFailedException($"an array index must be a number, got {index.TypeName}");
            default:
                throw new EvaluationFailedException($"cannot index into {target.TypeNameWithArticle}, only arrays and objects");
        }
    }
}
