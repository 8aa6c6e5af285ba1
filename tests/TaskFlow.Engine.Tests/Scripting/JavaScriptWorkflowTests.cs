using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scripting;

// JavaScript expressions and the javascript activity in real workflow runs.
public sealed class JavaScriptWorkflowTests
{
    //  score (javascript: setVariable('amount'), result) ──[js: getVariable('amount') > 1000 && input.kind == 'a']──> big (transform)
    //                                                     └─[js: !(getVariable('amount') > 1000)]──────────────────> small (log)
    //  big's inputs read the variable with a template and with JavaScript, and write one more variable;
    //  the output reads both variables.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task JavaScriptActivity_WritesAVariableThatLaterNodesConditionsAndOutputRead(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "js-vars", "variables": { "amount": 0 },
              "nodes": [
                { "id": "score", "type": "javascript", "inputs": { "script": "const amount = input.items.reduce((sum, i) => sum + i.price * i.qty, 0);\nsetVariable('amount', amount);\n({ amount, lines: input.items.length, at: new Date(Date.UTC(2026, 0, 1)) })" } },
                { "id": "big", "type": "transform", "inputs": { "value": {
                    "template": "{{ vars.amount }}",
                    "js": { "js": "getVariable('amount') * 2" },
                    "from": { "js": "getOutputFrom('score', 'lines')" },
                    "note": { "js": "setVariable('reviewed', getWorkflowInstanceId().length > 0); 'needs review'" } } } },
                { "id": "small", "type": "log", "inputs": { "message": "small order" } } ],
              "edges": [
                { "from": "score", "to": "big", "condition": { "js": "getVariable('amount') > 1000 && input.kind == 'a'" } },
                { "from": "score", "to": "small", "condition": { "js": "!(getVariable('amount') > 1000)" } } ],
              "output": { "amount": "{{ vars.amount }}", "reviewed": { "js": "vars.reviewed" }, "score": "{{ nodes.score.output }}" } }
            """, new JsonObject { ["kind"] = "a", ["items"] = JsonNode.Parse("""[{ "price": 400, "qty": 2 }, { "price": 250.5, "qty": 2 }]""") });

        view.AssertSucceeded();
        Assert.Equal("""{"amount":1301,"lines":2,"at":"2026-01-01T00:00:00.000Z"}""", view.Node("score").Output!.ToJsonString());
        Assert.Equal(NodeStatus.Succeeded, view.StatusOf("big"));
        Assert.Equal(NodeStatus.Skipped, view.StatusOf("small"));
        Assert.Equal("""{"template":1301,"js":2602,"from":2,"note":"needs review"}""", view.Node("big").Output!.ToJsonString());
        Assert.Equal("""{"amount":1301,"reviewed":true,"score":{"amount":1301,"lines":2,"at":"2026-01-01T00:00:00.000Z"}}""", view.Output!.ToJsonString());
    }

    //  run (javascript: throws) ──> after (noop)
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task JavaScriptActivity_ThatThrows_FailsTheNodeWithTheMessageAndWritesNothing(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "js-throws", "variables": { "x": "before" },
              "nodes": [
                { "id": "run", "type": "javascript", "inputs": { "script": "setVariable('x', 'after'); if (input.n > 1) { throw new Error('n is ' + input.n); }" } },
                { "id": "after", "type": "noop" } ],
              "edges": [ { "from": "run", "to": "after" } ] }
            """, new JsonObject { ["n"] = 5 });

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Equal(NodeStatus.Failed, view.StatusOf("run"));
        Assert.StartsWith("Inputs could not be rendered: script: Cannot evaluate 'setVariable('x', 'after');", view.Node("run").Error, StringComparison.Ordinal);
        Assert.EndsWith("Error: n is 5 (line 1, column 53).", view.Node("run").Error, StringComparison.Ordinal);
    }

    //  loop (javascript: while (true) {}) ── fails, the engine keeps running: ok (javascript) succeeds afterwards in another run
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task JavaScriptActivity_EndlessLoop_FailsTheNodeAndTheEngineCarriesOn(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var loop = await engine.RunAsync("""{ "id": "js-loop", "nodes": [ { "id": "loop", "type": "javascript", "inputs": { "script": "while (true) {}" } } ] }""");
        var ok = await engine.RunAsync("""{ "id": "js-ok", "nodes": [ { "id": "ok", "type": "javascript", "inputs": { "script": "6 * 7" } } ] }""");

        Assert.Equal(InstanceStatus.Failed, loop.Status);
        Assert.Contains("statements (an endless loop?)", loop.Node("loop").Error, StringComparison.Ordinal);
        ok.AssertSucceeded();
        Assert.Equal("42", ok.Node("ok").Output!.ToJsonString());
    }

    //  a (noop) ──[js: output.missing.x]──> b   the condition cannot be evaluated: a fails, naming the edge
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task JavaScriptCondition_ThatThrows_FailsTheSourceNodeNamingTheEdge(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "js-bad-condition",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b", "condition": { "js": "output.missing.x" } } ] }
            """);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.StartsWith("The condition of edge 'a->b' could not be evaluated: Cannot evaluate 'output.missing.x': TypeError: ", view.Node("a").Error, StringComparison.Ordinal);
    }

    //  greet (log, Liquid message) ──> count (javascript: variables.n += 1, Elsa style)   the output reads both
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task LiquidMessageAndVariableAssignment_RunAsElsaWritesThem(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "liquid-and-assign", "variables": { "n": 1, "Customer": "Ada" },
              "nodes": [
                { "id": "greet", "type": "log", "inputs": { "message": { "liquid": "Hello {{ Variables.Customer | upcase }}, {% for t in Input.tags %}{{ t }};{% endfor %}" } } },
                { "id": "count", "type": "javascript", "inputs": { "script": "variables.n = variables.n + getInput('tags').length; return getCustomer();" } } ],
              "edges": [ { "from": "greet", "to": "count" } ],
              "output": { "n": "{{ vars.n }}", "message": "{{ nodes.greet.output.message }}", "customer": "{{ nodes.count.output }}" } }
            """, new JsonObject { ["tags"] = new JsonArray("a", "b") });

        view.AssertSucceeded();
        Assert.Equal("""{"n":3,"message":"Hello ADA, a;b;","customer":"Ada"}""", view.Output!.ToJsonString());
    }
}
