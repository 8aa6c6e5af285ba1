using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Core.Import;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Import;

/// <summary>Elsa's PublishEvent and Event, imported: one run's published event resumes another's waiting Event (SQLite).</summary>
public sealed class ElsaPublishEventRunTests
{
    //   waiter:    Wait1 (Event "approved") ──> Done1 (WriteLine "go")
    private const string Waiter = """
        {
          "definitionId": "waiter",
          "root": { "id": "Flowchart1", "type": "Elsa.Flowchart", "activities": [
            { "id": "Wait1", "type": "Elsa.Event", "eventName": { "typeName": "String", "expression": { "type": "Literal", "value": "approved" } } },
            { "id": "Done1", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "go" } } } ],
            "connections": [ { "source": { "activity": "Wait1", "port": "Done" }, "target": { "activity": "Done1", "port": "In" } } ] }
        }
        """;

    //   publisher: Publish1 (PublishEvent "approved", payload { by: "ann" })
    private const string Publisher = """
        {
          "definitionId": "publisher",
          "root": { "id": "Flowchart1", "type": "Elsa.Flowchart", "connections": [], "activities": [
            { "id": "Publish1", "type": "Elsa.PublishEvent",
              "eventName": { "typeName": "String", "expression": { "type": "Literal", "value": "approved" } },
              "payload": { "typeName": "Object", "expression": { "type": "Object", "value": "{\"by\": \"ann\"}" } } } ] }
        }
        """;

    [Fact]
    public async Task PublishEvent_InOneRun_ResumesTheEventWaitingInAnother()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);
        var store = engine.Services.GetRequiredService<EngineStore>();
        var set = ElsaImporter.ConvertSet([new ElsaImportFile("waiter.json", Waiter), new ElsaImportFile("publisher.json", Publisher)]);
        Assert.True(set.Succeeded, set.ToString());
        foreach (var item in set.Items)
        {
            await engine.Runtime.SaveDefinitionAsync(item.Result.Definition!);
        }

        var waiting = await engine.Runtime.StartAsync("waiter");
        for (var i = 0; i < 400 && (await store.ListWaitsAsync(waiting, "approved", 10)).Count == 0; i++)
        {
            await Task.Delay(25);
        }

        var publisher = (await engine.Runtime.WaitAsync(await engine.Runtime.StartAsync("publisher"), TimeSpan.FromSeconds(30)))!;

        publisher.AssertSucceeded();
        Assert.Equal(waiting, (string?)Assert.Single(publisher.Node("Publish1").Output!["resumed"]!.AsArray())!["instanceId"]);
        var view = (await engine.Runtime.WaitAsync(waiting, TimeSpan.FromSeconds(30)))!;
        view.AssertSucceeded();
        Assert.Equal("ann", (string?)view.Node("Wait1").Output!["by"]);
        Assert.Equal(NodeStatus.Succeeded, view.StatusOf("Done1"));
    }
}
