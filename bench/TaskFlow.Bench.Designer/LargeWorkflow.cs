using System.Text.Json.Nodes;

namespace TaskFlow.Bench.Designer;

/// <summary>A layered workflow of <c>count</c> nodes: a start node, then layers of ten transforms, each fed by one or two nodes of the layer before.</summary>
internal static class LargeWorkflow
{
    public const int PerLayer = 10;

    public static JsonObject Create(string id, int count)
    {
        var nodes = new JsonArray { Node("start", "noop", 0, 0) };
        var edges = new JsonArray();
        var previous = new List<string> { "start" };
        for (var index = 1; index < count;)
        {
            var layer = new List<string>();
            for (var slot = 0; slot < PerLayer && index < count; slot++, index++)
            {
                var nodeId = $"n{index}";
                var column = (index - 1) / PerLayer + 1;
                nodes.Add(Node(nodeId, "transform", column, slot));
                edges.Add(new JsonObject { ["from"] = previous[slot % previous.Count], ["to"] = nodeId });
                if (previous.Count > 1)
                {
                    edges.Add(new JsonObject { ["from"] = previous[(slot + 1) % previous.Count], ["to"] = nodeId });
                }

                layer.Add(nodeId);
            }

            previous = layer;
        }

        return new JsonObject { ["id"] = id, ["name"] = $"{count} nodes", ["nodes"] = nodes, ["edges"] = edges };
    }

    private static JsonObject Node(string id, string type, int column, int row) => new()
    {
        ["id"] = id,
        ["type"] = type,
        ["inputs"] = type == "transform" ? new JsonObject { ["value"] = $"{{{{ input.x ?? '{id}' }}}}" } : new JsonObject(),
        ["layout"] = new JsonObject { ["x"] = column * 260, ["y"] = row * 110 },
    };
}
