using TaskFlow.Core.Model;

namespace TaskFlow.Core.Serialization;

/// <summary>
/// Finds the members a parsed definition holds as JSON <c>null</c> where the format requires a
/// value (a node, an edge's ends, a node's inputs, ...). The serializer assigns such nulls without
/// complaint, and everything after parsing relies on the model's non-null members, so they are
/// refused here, by path, as part of parsing. (A null id or type is left to the validator, which
/// reports it as missing.)
/// </summary>
internal static class NullMembers
{
    public static List<string> Find(WorkflowDefinition definition)
    {
        var paths = new List<string>();
        void Check(object? value, string path)
        {
            if (value is null)
            {
                paths.Add(path);
            }
        }

        Check(definition.Inputs, "$.inputs");
        Check(definition.Variables, "$.variables");
        Check(definition.Nodes, "$.nodes");
        Check(definition.Edges, "$.edges");
        Check(definition.Triggers, "$.triggers");
        foreach (var (name, input) in definition.Inputs ?? [])
        {
            Check(input, $"$.inputs.{name}");
        }

        for (var i = 0; i < (definition.Nodes?.Count ?? 0); i++)
        {
            var node = definition.Nodes![i];
            if (node is null)
            {
                paths.Add($"$.nodes[{i}]");
                continue;
            }

            Check(node.Inputs, $"$.nodes[{i}].inputs");
            if (node.Retry is { } retry)
            {
                Check(retry.Backoff, $"$.nodes[{i}].retry.backoff");
                Check(retry.Delay, $"$.nodes[{i}].retry.delay");
                Check(retry.MaxDelay, $"$.nodes[{i}].retry.maxDelay");
            }

            if (node.Workspace is { } workspace)
            {
                Check(workspace.Mode, $"$.nodes[{i}].workspace.mode");
                Check(workspace.Scope, $"$.nodes[{i}].workspace.scope");
            }
        }

        for (var i = 0; i < (definition.Edges?.Count ?? 0); i++)
        {
            var edge = definition.Edges![i];
            if (edge is null)
            {
                paths.Add($"$.edges[{i}]");
                continue;
            }

            Check(edge.From, $"$.edges[{i}].from");
            Check(edge.To, $"$.edges[{i}].to");
        }

        for (var i = 0; i < (definition.Triggers?.Count ?? 0); i++)
        {
            Check(definition.Triggers![i], $"$.triggers[{i}]");
        }

        return paths;
    }
}
