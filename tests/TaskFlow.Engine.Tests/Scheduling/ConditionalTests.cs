using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

public sealed class ConditionalTests
{
    private const string Definition = """
        {
          "id": "approval",
          "inputs": { "amount": { "type": "number", "required": true } },
          "nodes": [
            { "id": "check", "type": "transform", "inputs": { "value": { "large": "{{ input.amount > 100 }}" } } },
            { "id": "approve", "type": "transform", "inputs": { "value": "auto" } },
            { "id": "review", "type": "transform", "inputs": { "value": "manual" } },
            { "id": "done", "type": "transform", "inputs": { "value": "{{ nodes.approve.output ?? nodes.review.output }}" } }
          ],
          "edges": [
            { "from": "check", "to": "approve", "condition": "!output.large" },
            { "from": "check", "to": "review", "condition": "{{ output.large }}", "label": "large" },
            { "from": "approve", "to": "done" },
            { "from": "review", "to": "done" }
          ]
        }
        """;

    //          ┌─[!large]─> approve ─┐
    //  check ──┤                     ├──> done   (a merge: runs once, after the taken branch)
    //          └─[large]──> review ──┘
    [Theory]
    [InlineData(TestEngine.Sqlite, 50, "auto", "review")]
    [InlineData(TestEngine.Postgres, 50, "auto", "review")]
    [InlineData(TestEngine.Sqlite, 500, "manual", "approve")]
    [InlineData(TestEngine.Postgres, 500, "manual", "approve")]
    public async Task Condition_RoutesByInput_OtherBranchSkippedAndMergeRunsOnce(string provider, int amount, string result, string skipped)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync(Definition, new JsonObject { ["amount"] = amount });

        view.AssertSucceeded();
        Assert.Equal(result, view.Node("done").Output!.GetValue<string>());
        Assert.Equal(NodeStatus.Skipped, view.StatusOf(skipped));
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        Assert.Single(journal, j => j.NodeId == "done" && j.Type == Core.Scheduling.JournalEventType.NodeSucceeded);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Start_MissingRequiredInput_ThrowsNamingTheInput(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Definition);

        var error = await Assert.ThrowsAsync<TaskFlow.Engine.Runtime.WorkflowInputException>(() => engine.Runtime.StartAsync("approval", new JsonObject { ["amount"] = "lots" }));

        Assert.Contains("Input 'amount' must be of type number", error.Message);
    }
}
