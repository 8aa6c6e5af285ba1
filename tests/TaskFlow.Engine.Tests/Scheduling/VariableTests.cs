using System.Text.Json.Nodes;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

public sealed class VariableTests
{
    //  set(setVariable total = input.n * 2) ──> log(message) ──> read(transform vars)
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task SetVariable_LaterNodesAndTheOutputReadTheNewValue(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "vars", "inputs": { "n": { "type": "integer", "required": true } },
              "variables": { "total": 0, "label": "untouched" },
              "nodes": [
                { "id": "set", "type": "setVariable", "inputs": { "name": "total", "value": "{{ input.n * 2 }}" } },
                { "id": "log", "type": "log", "inputs": { "message": "total is {{ vars.total }}" } },
                { "id": "read", "type": "transform", "inputs": { "value": { "total": "{{ vars.total }}", "label": "{{ vars.label }}" } } } ],
              "edges": [ { "from": "set", "to": "log" }, { "from": "log", "to": "read" } ],
              "output": { "total": "{{ vars.total }}" } }
            """, new JsonObject { ["n"] = 21 });

        view.AssertSucceeded();
        Assert.Equal("""{"name":"total","value":42}""", view.Node("set").Output!.ToJsonString());
        Assert.Equal("total is 42", view.Node("log").Output!["message"]!.GetValue<string>());
        Assert.Equal("""{"total":42,"label":"untouched"}""", view.Node("read").Output!.ToJsonString());
        Assert.Equal("""{"total":42}""", view.Output!.ToJsonString());
    }
}
