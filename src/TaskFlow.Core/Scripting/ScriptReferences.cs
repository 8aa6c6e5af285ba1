using Acornima.Ast;

namespace TaskFlow.Core.Scripting;

// Node ids a script reads literally (nodes.id, nodes["id"], getOutputFrom("id")), so the engine
// loads only those, as it does for templates (a computed id finds nothing, as in templates), and
// the secrets it names literally (secrets.NAME, secrets["NAME"]), which must be set before it runs.
internal static class ScriptReferences
{
    public static (HashSet<string> NodeIds, HashSet<string> Secrets) Collect(Node root)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<Node>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            switch (node)
            {
                case MemberExpression { Object: Identifier { Name: "nodes" or "secrets" } target, Property: var property, Computed: var computed }:
                    var found = target.Name == "nodes" ? ids : secrets;
                    if (!computed && property is Identifier name)
                    {
                        found.Add(name.Name);
                    }
                    else if (computed && property is StringLiteral literal)
                    {
                        found.Add(literal.Value);
                    }

                    break;
                case CallExpression { Callee: Identifier { Name: "getOutputFrom" }, Arguments: [StringLiteral id, ..] }:
                    ids.Add(id.Value);
                    break;
            }

            foreach (var child in node.ChildNodes)
            {
                stack.Push(child);
            }
        }

        return (ids, secrets);
    }
}
