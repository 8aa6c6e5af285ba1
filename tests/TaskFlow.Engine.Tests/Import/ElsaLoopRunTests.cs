using System.Text.Json.Nodes;
using TaskFlow.Core.Import;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Import;

/// <summary>Elsa's loop and parallel activities, imported and run on the engine (SQLite).</summary>
public sealed class ElsaLoopRunTests
{
    //   For1 (1 .. getCount(), a JavaScript bound) ── body: WriteLine "n = {counter}"
    [Fact]
    public async Task For_WithAJavaScriptBound_RunsTheBodyOncePerCounterValueInOrder()
    {
        const string elsa = """
            {
              "definitionId": "count-up", "variables": [ { "id": "count", "name": "Count", "typeName": "Int32", "value": "3" } ],
              "root": { "id": "Flowchart1", "type": "Elsa.Flowchart", "connections": [], "activities": [
                { "id": "For1", "type": "Elsa.For",
                  "start": { "typeName": "Int32", "expression": { "type": "Literal", "value": "1" } },
                  "end": { "typeName": "Int32", "expression": { "type": "JavaScript", "value": "getCount()" } },
                  "body": { "id": "Line1", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "JavaScript", "value": "`n = ${getCurrentValue()}`" } } } } ] }
            }
            """;
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var view = await ImportAndRunAsync(engine, elsa);

        view.AssertSucceeded();
        var loop = Assert.IsType<JsonArray>(Assert.Single(view.Nodes, n => n.NodeId == "For1").Output);
        Assert.Equal(["n = 1", "n = 2", "n = 3"], loop.Select(o => o!["message"]!.GetValue<string>()));
    }

    //   Parallel1: [ A, B ] ──> After
    [Fact]
    public async Task Parallel_RunsEveryActivity_ThenWhatFollows()
    {
        const string elsa = """
            {
              "definitionId": "both",
              "root": { "id": "Flowchart1", "type": "Elsa.Flowchart", "activities": [
                { "id": "Parallel1", "type": "Elsa.Parallel", "activities": [
                  { "id": "A", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "a" } } },
                  { "id": "B", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "b" } } } ] },
                { "id": "After", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "after" } } } ],
                "connections": [ { "source": { "activity": "Parallel1", "port": "Done" }, "target": { "activity": "After", "port": "In" } } ] }
            }
            """;
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var view = await ImportAndRunAsync(engine, elsa);

        view.AssertSucceeded();
        Assert.All(["Parallel1.A", "Parallel1.B", "Parallel1.join", "After"], id => Assert.Equal(NodeStatus.Succeeded, Assert.Single(view.Nodes, n => n.NodeId == id).Status));
        var after = Assert.Single(view.Nodes, n => n.NodeId == "After").FinishedAt;
        Assert.All(view.Nodes.Where(n => n.NodeId.StartsWith("Parallel1.", StringComparison.Ordinal)), n => Assert.True(n.FinishedAt <= after));
    }

    //   While1 (getN() < 3) ── body: Sequence [ SetVariable N = getN() + 1, WriteLine "round {N}" ] ──> Done: WriteLine "done"
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task While_RunsItsBodyWhileTheConditionHolds_ThenLeavesByDone(string provider)
    {
        const string elsa = """
            {
              "definitionId": "count-to-three", "variables": [ { "id": "n", "name": "N", "typeName": "Int32", "value": "0" } ],
              "root": { "id": "Flowchart1", "type": "Elsa.Flowchart", "activities": [
                { "id": "While1", "type": "Elsa.While",
                  "condition": { "typeName": "Boolean", "expression": { "type": "JavaScript", "value": "getN() < 3" } },
                  "body": { "id": "Sequence1", "type": "Elsa.Sequence", "activities": [
                    { "id": "Set1", "type": "Elsa.SetVariable", "variable": { "id": "n", "name": "N" },
                      "value": { "typeName": "Object", "expression": { "type": "JavaScript", "value": "getN() + 1" } } },
                    { "id": "Line1", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "JavaScript", "value": "`round ${getN()}`" } } } ] } },
                { "id": "Done1", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "done" } } } ],
                "connections": [ { "source": { "activity": "While1", "port": "Done" }, "target": { "activity": "Done1", "port": "In" } } ] }
            }
            """;
        await using var engine = await TestEngine.StartAsync(provider);

        var view = await ImportAndRunAsync(engine, elsa);

        view.AssertSucceeded();
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        var lineRuns = journal.Where(j => j.NodeId is { } id && id.EndsWith("Line1", StringComparison.Ordinal) && j.Type == TaskFlow.Core.Scheduling.JournalEventType.NodeSucceeded).ToList();
        Assert.Equal(3, lineRuns.Count);
        Assert.Equal("round 3", Assert.Single(view.Nodes, n => n.NodeId == lineRuns[0].NodeId).Output!["message"]!.GetValue<string>());
        Assert.Single(journal, j => j.NodeId == "Done1" && j.Type == TaskFlow.Core.Scheduling.JournalEventType.NodeSucceeded);
        Assert.Equal(3, journal.Count(j => j.Type == TaskFlow.Core.Scheduling.JournalEventType.LoopedBack));
        Assert.True(journal.First(j => j.NodeId == "Done1" && j.Type == TaskFlow.Core.Scheduling.JournalEventType.NodeSucceeded).Id > lineRuns[^1].Id);
    }

    private static async Task<TaskFlow.Engine.Runtime.InstanceView> ImportAndRunAsync(TestEngine engine, string elsa)
    {
        var result = ElsaImporter.Convert(elsa);
        Assert.True(result.Succeeded, result.ToString());
        foreach (var companion in result.Companions)
        {
            await engine.Runtime.SaveDefinitionAsync(companion);
        }

        await engine.Runtime.SaveDefinitionAsync(result.Definition);
        var id = await engine.Runtime.StartAsync(result.Definition.Id);
        var view = await engine.Runtime.WaitAsync(id, TimeSpan.FromMinutes(1));
        Assert.NotNull(view);
        return view;
    }
}
