using System.Text.Json.Nodes;
using TaskFlow.Core.Import;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Tests.Import;

/// <summary>How flowchart structure converts: nesting, Finish, loops, joins and merged connections.</summary>
public partial class ElsaImporterTests
{
    private static string NestedFlowchart(string id, string activities, string connections, string start = "") =>
        Activity(id, "Elsa.Flowchart", $$"""
            {{(start.Length == 0 ? "" : $"\"start\": \"{start}\",")}} "activities": [ {{activities}} ], "connections": [ {{connections}} ]
            """);

    //   A ──> Inner[ X ──> Y ] ──> B      becomes      A ──> Inner.X ──> Inner.Y ──> B
    [Fact]
    public void Convert_NestedFlowchart_InlinesItsActivitiesWithPrefixedIds()
    {
        var inner = NestedFlowchart("Inner", $"{WriteLine("X")}, {WriteLine("Y")}", Link("X", "Y"));
        var json = Definition($"{WriteLine("A")}, {inner}, {WriteLine("B")}", $"{Link("A", "Inner")}, {Link("Inner", "B")}");

        var definition = Import(json);

        Assert.Equal(["A:log", "Inner.X:log", "Inner.Y:log", "B:log"], NodeTypes(definition));
        Assert.Equal(["A->Inner.X", "Inner.X->Inner.Y", "Inner.Y->B"], EdgeList(definition));
        AssertValid(definition);
    }

    //   A ──> Inner[ D ─[True]─> X ]  ──> B      when D is false the inner flowchart ends at once, so B
    //                                            also follows D directly (an implicit merge waits for X)
    [Fact]
    public void Convert_NestedFlowchartEndingAtAnUnconnectedDecisionPort_ContinuesFromTheDecisionToo()
    {
        var inner = NestedFlowchart("Inner", $"{Decision("D", "Literal", "true")}, {WriteLine("X")}", Link("D", "X", "True"));
        var json = Definition($"{WriteLine("A")}, {inner}, {WriteLine("B")}", $"{Link("A", "Inner")}, {Link("Inner", "B")}");

        var definition = Import(json);

        Assert.Equal(["A->Inner.D", "Inner.D->B", "Inner.D->Inner.X [true]", "Inner.X->B"], EdgeList(definition));
        AssertValid(definition);
    }

    [Fact]
    public void Convert_NestedFlowchartWithSeveralStarts_RefusesToInlineIt()
    {
        var inner = NestedFlowchart("Inner", $"{WriteLine("X")}, {WriteLine("Y")}", "", start: "X");
        var json = Definition($"{WriteLine("A")}, {inner}", Link("A", "Inner"));

        var problem = SingleProblem(json);

        Assert.Equal(("Inner", "Elsa.Flowchart"), (problem.ActivityId, problem.ActivityType));
        Assert.Contains("besides its start 'X' ('Y')", problem.Message);
        Assert.Contains("cannot be converted faithfully", problem.Message);
    }

    //   A ──> Finish1 ──> B ──> C        B and C never run in Elsa: the connection and both nodes are dropped
    [Fact]
    public void Convert_FinishWithOutboundConnection_DropsItAndWhatOnlyFollowsIt()
    {
        var json = Definition($"{WriteLine("A")}, {Activity("Finish1", "Elsa.Finish")}, {WriteLine("B")}, {WriteLine("C")}",
            $"{Link("A", "Finish1")}, {Link("Finish1", "B")}, {Link("B", "C")}");

        var result = Convert(json);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(["A:log", "Finish1:noop"], NodeTypes(result.Definition));
        Assert.Equal(["A->Finish1"], EdgeList(result.Definition));
        Assert.Equal(2, result.Notes.Count);
        Assert.Contains("Activity 'Finish1' (Elsa.Finish): its connection to 'B' was dropped", result.Notes[0]);
        Assert.Contains("Activities 'B', 'C' were left out", result.Notes[1]);
        AssertValid(result.Definition);
    }

    //   Start1 ──> A ──> B ──> A   (a loop: the connection back to A is a loop edge)
    [Fact]
    public void Convert_LoopingConnections_TheConnectionBackIsALoopEdge()
    {
        var json = Definition($"{Activity("Start1", "Elsa.Start")}, {WriteLine("A")}, {WriteLine("B")}",
            $"{Link("Start1", "A")}, {Link("A", "B")}, {Link("B", "A")}");

        var result = Convert(json);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(["A->B", "B->A", "Start1->A"], EdgeList(result.Definition));
        Assert.Equal(["B->A"], result.Definition.Edges.Where(e => e.Loop).Select(e => e.DisplayName));
        Assert.Contains(result.Notes, n => n.Contains("Activity 'B' (Elsa.WriteLine): its connection to 'A' goes back, so it is a loop edge", StringComparison.Ordinal));
        AssertValid(result.Definition);
    }

    //   Start1 ──> A ──> B ──> C          C runs again with the loop, but is also reached from D,
    //               ^    │     ^          which does not: the validator names it
    //               └────┘     │
    //   Start1 ──> D ──────────┘
    [Fact]
    public void Convert_ALoopJoinedFromOutside_ImportsButDoesNotValidateNamingTheNode()
    {
        var json = Definition($"{Activity("Start1", "Elsa.Start")}, {WriteLine("A")}, {WriteLine("B")}, {WriteLine("C")}, {WriteLine("D")}",
            $"{Link("Start1", "A")}, {Link("A", "B")}, {Link("B", "A")}, {Link("B", "C")}, {Link("Start1", "D")}, {Link("D", "C")}");

        var definition = Import(json);

        var problems = new TaskFlow.Core.Validation.WorkflowValidator(TaskFlow.Core.Activities.BuiltInActivities.Descriptors.ToDictionary(d => d.Type), new TaskFlow.Core.Validation.WorkflowLimits()).Validate(definition);
        var problem = Assert.Single(problems, p => p.Code == "graph.loop.join");
        Assert.Contains("Node 'C' runs again each time loop edge 'B->A' is taken, but its edge from 'D'", problem.Message, StringComparison.Ordinal);
    }

    //   A ──> D ─[True]──> B       Elsa runs B either way: one edge without a condition
    //           └[False]─┘
    [Fact]
    public void Convert_DecisionWithBothPortsToOneActivity_MakesOneUnconditionalEdge()
    {
        var json = Definition($"{WriteLine("A")}, {Decision("D", "JavaScript", "getVariable('n') > 1")}, {WriteLine("B")}",
            $"{Link("A", "D")}, {Link("D", "B", "True")}, {Link("D", "B", "False")}",
            variables: """{ "id": "v1", "name": "n", "typeName": "Int32", "value": "2" }""");

        var definition = Import(json);

        Assert.Equal(["A->D", "D->B"], EdgeList(definition));
        Assert.Equal("True, False", definition.Edges.Single(e => e.From == "D").Label);
        AssertValid(definition);
    }

    //   A ──> Join1 (WaitAll) ──> B      a join with one branch is a noop
    [Fact]
    public void Convert_FlowJoinWithOneInboundConnection_BecomesANoop()
    {
        var join = Activity("Join1", "Elsa.FlowJoin", """ "mode": { "typeName": "FlowJoinMode", "expression": { "type": "Literal", "value": "WaitAll" } } """);
        var json = Definition($"{WriteLine("A")}, {join}, {WriteLine("B")}", $"{Link("A", "Join1")}, {Link("Join1", "B")}");

        var result = Convert(json);

        Assert.True(result.Succeeded, result.ToString());
        var node = Node(result.Definition, "Join1");
        Assert.Equal(("noop", "{}"), (node.Type, Inputs(node)));
        Assert.Contains("joins 1 branch", Assert.Single(result.Notes));
        AssertValid(result.Definition);
    }

    //   A ──> Fork1 ─[One]──> B       Fork1's branches are One and Two, so Elsa never follows [Done]
    //             └─[Done]──> C
    [Fact]
    public void Convert_FlowForkPortThatIsNotABranch_IsDropped()
    {
        var fork = Activity("Fork1", "Elsa.FlowFork", """ "branches": { "typeName": "String[]", "expression": { "type": "Object", "value": "[\"One\",\"Two\"]" } } """);
        var json = Definition($"{WriteLine("A")}, {fork}, {WriteLine("B")}, {WriteLine("C")}",
            $"{Link("A", "Fork1")}, {Link("Fork1", "B", "One")}, {Link("Fork1", "C")}");

        var result = Convert(json);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(["A->Fork1", "Fork1->B"], EdgeList(result.Definition));
        Assert.Contains("leaves by port 'Done', which is not one of its branches (One, Two)", result.Notes[0]);
        Assert.Contains("'C' were left out", result.Notes[1]);
    }

    [Fact]
    public void Convert_LiteralTextWithBraces_IsEscapedAndRendersBackUnchanged()
    {
        var json = Definition(WriteLine("A", "Use {{ name }} here"));

        var message = Node(Import(json), "A").Inputs["message"];

        Assert.Equal("Use {{ '{{' }} name }} here", message!.GetValue<string>());
        Assert.Equal("Use {{ name }} here", TemplatedJson.Compile(message).Render(new JsonObject())!.GetValue<string>());
    }

    [Fact]
    public void Convert_JavaScriptWriteLineText_KeepsTheScriptAsAJsExpression()
    {
        const string script = "`Hello ${getVariable('name')}`";
        var json = Definition(WriteLine("A", script, "JavaScript"));

        var result = Convert(json);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal($$"""{"js":{{System.Text.Json.JsonSerializer.Serialize(script)}}}""", Node(result.Definition, "A").Inputs["message"]!.ToJsonString());
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Convert_CSharpWriteLineText_KeepsTheSourceTextWithANote()
    {
        const string script = "return $\"Hello {Variables.name}\";";
        var json = Definition(WriteLine("A", script, "CSharp"));

        var result = Convert(json);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(script, Node(result.Definition, "A").Inputs["message"]!.GetValue<string>());
        var note = Assert.Single(result.Notes);
        Assert.StartsWith("Activity 'A' (Elsa.WriteLine): its text is the CSharp expression", note);
    }

    [Fact]
    public void Convert_CronAfterAnotherActivity_IsRefused()
    {
        var cron = Activity("Cron1", "Elsa.Cron", """ "cronExpression": { "typeName": "String", "expression": { "type": "Literal", "value": "0 * * * *" } } """);
        var json = Definition($"{WriteLine("A")}, {cron}", Link("A", "Cron1"));

        var problem = SingleProblem(json);

        Assert.Equal(("Cron1", "Elsa.Cron"), (problem.ActivityId, problem.ActivityType));
        Assert.Contains("waits for the next occurrence", problem.Message);
    }

    [Fact]
    public void Convert_SetVariableOfUnknownVariable_IsRefused()
    {
        var set = Activity("Set1", "Elsa.SetVariable", """
            "variable": { "id": "nope" }, "value": { "typeName": "Object", "expression": { "type": "Literal", "value": "x" } }
            """);

        var problem = SingleProblem(Definition(set));

        Assert.Equal(("Set1", "Elsa.SetVariable"), (problem.ActivityId, problem.ActivityType));
        Assert.Contains("does not name a variable of this workflow", problem.Message);
    }

    [Theory]
    [InlineData("00:05:00", "00:05:00")]
    [InlineData("1.02:00:00", "1.02:00:00")]
    [InlineData("5", "5.00:00:00")] // .NET reads "5" as five days; TaskFlow would read it as five seconds
    public void Convert_DelayTimeSpan_KeepsItsDotNetMeaning(string timeSpan, string expected)
    {
        var delay = Activity("Delay1", "Elsa.Delay", $$""" "timeSpan": { "typeName": "TimeSpan", "expression": { "type": "Literal", "value": "{{timeSpan}}" } } """);

        var definition = Import(Definition(delay));

        Assert.Equal(expected, Node(definition, "Delay1").Inputs["duration"]!.GetValue<string>());
        AssertValid(definition);
    }

    [Fact]
    public void Convert_IdsThatAreNotTaskFlowIds_AreSanitisedWithNotes()
    {
        var json = Definition(WriteLine("Write line #1"), id: "Order Approval (v2)");

        var result = Convert(json);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("Order-Approval--v2-", result.Definition.Id);
        Assert.Equal(["Write-line--1:log"], NodeTypes(result.Definition));
        Assert.Equal(2, result.Notes.Count);
        AssertValid(result.Definition);
    }

    [Fact]
    public void Convert_SeveralActivitiesWithoutInboundConnections_NotesThatAllOfThemStart()
    {
        var json = Definition($"{WriteLine("A")}, {WriteLine("B")}");

        var result = Convert(json);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains("Activities 'A', 'B' have no inbound connections", Assert.Single(result.Notes));
    }
}
