using System.Text.Json.Nodes;

namespace TaskFlow.Bench;

/// <summary>The measured workflows: a fan-out of no-ops into a join, and a chain of no-ops.</summary>
internal static class BenchGraphs
{
    public static string FanOut(string id, int branches, string type)
    {
        var nodes = new JsonArray { Node("start", type) };
        var edges = new JsonArray();
        for (var i = 0; i < branches; i++)
        {
            nodes.Add(Node($"b{i}", type));
            edges.Add(Edge("start", $"b{i}"));
            edges.Add(Edge($"b{i}", "join"));
        }

        nodes.Add(new JsonObject { ["id"] = "join", ["type"] = "join", ["inputs"] = new JsonObject { ["mode"] = "WaitAll" } });
        nodes.Add(Node("end", type));
        edges.Add(Edge("join", "end"));
        return new JsonObject { ["id"] = id, ["nodes"] = nodes, ["edges"] = edges }.ToJsonString();
    }

    public static string Chain(string id, int steps, string type)
    {
        var nodes = new JsonArray();
        var edges = new JsonArray();
        for (var i = 0; i < steps; i++)
        {
            nodes.Add(Node($"s{i}", type));
            if (i > 0)
            {
                edges.Add(Edge($"s{i - 1}", $"s{i}"));
            }
        }

        return new JsonObject { ["id"] = id, ["nodes"] = nodes, ["edges"] = edges }.ToJsonString();
    }

    private static JsonObject Node(string id, string type) => new() { ["id"] = id, ["type"] = type };

    private static JsonObject Edge(string from, string to) => new() { ["from"] = from, ["to"] = to };
}
