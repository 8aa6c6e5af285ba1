namespace TaskFlow.Core.Templates.Ast;

// One step of a path: .name (Name) or [expr] (Index).
internal sealed class PathSegment
{
    private PathSegment(int start, string? name, ExprNode? index)
    {
        Start = start;
        Name = name;
        Index = index;
    }

    public int Start { get; }

    public string? Name { get; }

    public ExprNode? Index { get; }

    public static PathSegment Member(int start, string name) => new(start, name, null);

    public static PathSegment Indexer(int start, ExprNode index) => new(start, null, index);
}
