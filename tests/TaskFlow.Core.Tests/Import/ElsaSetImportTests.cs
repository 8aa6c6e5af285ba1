using TaskFlow.Core.Import;

namespace TaskFlow.Core.Tests.Import;

public class ElsaSetImportTests
{
    private static ElsaImportFile Workflow(string file, string definitionId, string name, string activities, string extra = "") => new(file, $$"""
        { "definitionId": "{{definitionId}}", "name": "{{name}}", "version": 1{{extra}},
          "root": { "id": "Flowchart1", "type": "Elsa.Flowchart", "activities": [ {{activities}} ], "connections": [] } }
        """);

    //   Parent: Child1 (runs "child", input Input1 = 'Bar', output Output1 → variable Result, port Success)
    [Fact]
    public void ConvertSet_ActivityNamingAnotherWorkflow_IsAWorkflowNodeSavedAfterIt()
    {
        var child = Workflow("child.json", "c-1", "Child",
            """{ "id": "Done1", "type": "Elsa.Complete", "outcomes": { "typeName": "Object", "expression": { "type": "Literal", "value": "Success" } } }""",
            """, "inputs": [ { "name": "Input1", "type": "String" } ], "outputs": [ { "name": "Output1", "type": "Object" } ] """);
        var parent = new ElsaImportFile("parent.json", """
            { "definitionId": "parent", "variables": [ { "id": "r1", "name": "Result", "typeName": "Object" } ],
              "root": { "id": "F", "type": "Elsa.Flowchart", "activities": [
                { "id": "Child1", "type": "Child", "workflowDefinitionId": "c-1",
                  "input1": { "typeName": "Object", "expression": { "type": "Literal", "value": "Bar" } },
                  "output1": { "typeName": "Object", "memoryReference": { "id": "r1" } } },
                { "id": "Yes", "type": "Elsa.WriteLine", "text": "yes" } ],
                "connections": [ { "source": { "activity": "Child1", "port": "Success" }, "target": { "activity": "Yes", "port": "In" } } ] } }
            """);

        var set = ElsaImporter.ConvertSet([parent, child]);

        Assert.True(set.Succeeded, set.ToString());
        Assert.Equal(["child.json", "parent.json"], set.Items.Select(i => i.Name));
        var converted = set.Items[1].Result.Definition!;
        var node = converted.Nodes.Single(n => n.Id == "Child1");
        Assert.Equal("""{"definitionId":"c-1","input":{"Input1":"Bar"}}""", node.Inputs.ToJsonString());
        Assert.Equal("{{ nodes.Child1.output.Output1 }}", converted.Nodes.Single(n => n.Id == "Child1.set-Result").Inputs["value"]!.GetValue<string>());
        var edge = converted.Edges.Single(e => e.To == "Yes");
        Assert.Equal("contains(nodes.Child1.output.outcomes ?? ['Done'], 'Success')", edge.Condition!.ToString());
        Assert.Contains("Success", set.Items[0].Result.Definition!.Output!["outcomes"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ConvertSet_StoredWorkflowUsedAsAnActivity_IsAWorkflowNode()
    {
        var parent = Workflow("parent.json", "parent", "Parent", """{ "id": "Billing1", "type": "Billing" }""");
        var stored = new ElsaWorkflowReference("billing", ["billing", "Billing"], [], [], []);

        var set = ElsaImporter.ConvertSet([parent], [stored]);

        Assert.True(set.Succeeded, set.ToString());
        Assert.Equal("billing", set.Items[0].Result.Definition!.Nodes[0].Inputs["definitionId"]!.GetValue<string>());
    }

    [Fact]
    public void ConvertSet_Cycle_RefusesEveryWorkflowInItNamingTheCycle()
    {
        var ping = Workflow("ping.json", "ping", "Ping", """{ "id": "P1", "type": "Pong" }""");
        var pong = Workflow("pong.json", "pong", "Pong", """{ "id": "P1", "type": "Ping" }""");

        var set = ElsaImporter.ConvertSet([ping, pong]);

        Assert.False(set.Succeeded);
        Assert.All(set.Items, i => Assert.Contains("in a cycle (ping -> pong -> ping)", Assert.Single(i.Result.Problems).Message));
    }

    [Fact]
    public void ConvertSet_UserOfAWorkflowThatFails_FailsNamingIt()
    {
        var broken = Workflow("broken.json", "broken", "Broken", """{ "id": "W1", "type": "Elsa.Break" }""");
        var user = Workflow("user.json", "user", "User", """{ "id": "B1", "type": "Broken" }""");

        var set = ElsaImporter.ConvertSet([user, broken]);

        var failure = Assert.Single(set.Items, i => i.Name == "user.json").Result;
        Assert.Contains("It uses the workflow 'broken' (broken.json) as an activity, which cannot be imported", Assert.Single(failure.Problems).Message);
    }

    [Fact]
    public void ConvertSet_TwoVersionsOfOneWorkflow_AreBothConvertedInVersionOrder()
    {
        var second = Workflow("v2.json", "flow", "Flow", """{ "id": "A", "type": "Elsa.WriteLine", "text": "two" }""").Json.Replace("\"version\": 1", "\"version\": 2");
        var first = Workflow("v1.json", "flow", "Flow", """{ "id": "A", "type": "Elsa.WriteLine", "text": "one" }""");

        var set = ElsaImporter.ConvertSet([new ElsaImportFile("v2.json", second), first]);

        Assert.True(set.Succeeded, set.ToString());
        Assert.Equal(["v1.json", "v2.json"], set.Items.Select(i => i.Name));
    }
}
