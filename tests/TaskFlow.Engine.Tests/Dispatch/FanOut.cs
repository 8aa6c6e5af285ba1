using System.Text.Json.Nodes;

namespace TaskFlow.Engine.Tests.Dispatch;

/// <summary>Builds the large fan-out definitions the dispatch tests run.</summary>
internal static class FanOut
{
    //          ┌──> b1 ──┐
    //  start ──┼──> ...  ├──> join(WaitAll) ──> end
    //          └──> bN ──┘
    public static string Definition(string id, int branches, string branchType = "sleep", string duration = "10ms")
    {
        var nodes = new JsonArray { new JsonObject { ["id"] = "start", ["type"] = "noop" } };
        var edges = new JsonArray();
        for (var i = 1; i <= branches; i++)
        {
            var branch = new JsonObject { ["id"] = $"b{i}", ["type"] = branchType };
            if (branchType == "sleep")
            {
                branch["inputs"] = new JsonObject { ["duration"] = duration };
            }

            nodes.Add(branch);
            edges.Add(new JsonObject { ["from"] = "start", ["to"] = $"b{i}" });
            edges.Add(new JsonObject { ["from"] = $"b{i}", ["to"] = "join" });
        }

        nodes.Add(new JsonObject { ["id"] = "join", ["type"] = "join", ["inputs"] = new JsonObject { ["mode"] = "WaitAll" } });
        nodes.Add(new JsonObject { ["id"] = "end", ["type"] = "noop" });
        edges.Add(new JsonObject { ["from"] = "join", ["to"] = "end" });
        return new JsonObject { ["id"] = id, ["nodes"] = nodes, ["edges"] = edges }.ToJsonString();
    }
}
