using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Import;
using TaskFlow.Core.Model;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Templates;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Tests.Import;

public partial class ElsaImporterTests
{
    private static readonly Dictionary<string, ActivityDescriptor> Catalog = CreateCatalog();

    // setVariable and log are built-ins the engine adds; they are declared here only where the catalog lacks them.
    private static Dictionary<string, ActivityDescriptor> CreateCatalog()
    {
        var catalog = BuiltInActivities.Descriptors.ToDictionary(d => d.Type);
        catalog.TryAdd("setVariable", new ActivityDescriptor("setVariable", "Data", "Sets an instance variable.",
            [new("name", "string", Required: true), new("value", "any", Required: true)], [ActivityDescriptor.DefaultOutcome]));
        catalog.TryAdd("log", new ActivityDescriptor("log", "Data", "Writes a message to the log.",
            [new("message", "string", Required: true)], [ActivityDescriptor.DefaultOutcome]));
        catalog.TryAdd("event.publish", new ActivityDescriptor("event.publish", "Control flow", "Publishes an event.",
            [new("name", "string", Required: true), new("correlation", "string"), new("instanceId", "string"), new("payload", "any")], [ActivityDescriptor.DefaultOutcome]));
        return catalog;
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Import", "Elsa", name));

    private static ElsaImportResult Convert(string json) => ElsaImporter.Convert(json);

    private static WorkflowDefinition Import(string json)
    {
        var result = ElsaImporter.Convert(json);
        Assert.True(result.Succeeded, result.ToString());
        Assert.Empty(result.Problems);
        return result.Definition;
    }

    private static ElsaImportProblem SingleProblem(string json)
    {
        var result = ElsaImporter.Convert(json);
        Assert.False(result.Succeeded);
        Assert.Null(result.Definition);
        return Assert.Single(result.Problems);
    }

    private static void AssertValid(WorkflowDefinition definition) =>
        Assert.Empty(new WorkflowValidator(Catalog, new WorkflowLimits()).Validate(definition).Select(p => $"{p.Code}: {p.Message}"));

    private static NodeDefinition Node(WorkflowDefinition definition, string id) => Assert.Single(definition.Nodes, n => n.Id == id);

    private static string[] NodeTypes(WorkflowDefinition definition) => definition.Nodes.Select(n => $"{n.Id}:{n.Type}").ToArray();

    /// <summary>Edges as <c>from->to</c>, with <c> [condition]</c> when there is one, sorted.</summary>
    private static string[] EdgeList(WorkflowDefinition definition) =>
        definition.Edges.Select(e => $"{e.From}->{e.To}{(e.FromPort is null ? "" : $" :{e.FromPort}")}{(e.Condition switch { null => "", JsonObject script => $" [js: {script["js"]}]", var text => $" [{text}]" })}")
            .Order(StringComparer.Ordinal).ToArray();

    private static string Inputs(NodeDefinition node) => node.Inputs.ToJsonString();

    // Minimal Elsa 3 documents for the focused tests below.
    private static string Definition(string activities, string connections = "", string variables = "", string id = "wf") => $$"""
        {
          "id": "v1", "definitionId": "{{id}}", "name": "Test", "version": 1,
          "variables": [ {{variables}} ],
          "root": { "id": "Flowchart1", "type": "Elsa.Flowchart", "activities": [ {{activities}} ], "connections": [ {{connections}} ] }
        }
        """;

    private static string WriteLine(string id, string text = "hi", string language = "Literal") =>
        $$"""{ "id": "{{id}}", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "{{language}}", "value": {{JsonValue.Create(text).ToJsonString()}} } } }""";

    private static string Activity(string id, string type, string properties = "") =>
        $$"""{ "id": "{{id}}", "type": "{{type}}"{{(properties.Length == 0 ? "" : ", " + properties)}} }""";

    private static string Decision(string id, string language, string condition) =>
        Activity(id, "Elsa.FlowDecision", $$"""
            "condition": { "typeName": "Boolean", "expression": { "type": "{{language}}", "value": {{JsonValue.Create(condition).ToJsonString()}} } }
            """);

    private static string Link(string from, string to, string port = "Done") =>
        $$"""{ "source": { "activity": "{{from}}", "port": "{{port}}" }, "target": { "activity": "{{to}}", "port": "In" } }""";

    private static string LegacyLink(string from, string to, string port = "Done") =>
        $$"""{ "source": "{{from}}", "target": "{{to}}", "sourcePort": "{{port}}", "targetPort": "In" }""";

    //                     ┌─[Stock]───> WriteLine2 ────┐
    //   WriteLine1 ──> FlowFork1                      ├──> FlowJoin1 (WaitAny) ──> FlowDecision1 ─[amount > 1000]──> SetVariable2
    //                     └─[Payment]─> SetVariable1 ──┘                                        └─[otherwise]──────> Finish1
    [Fact]
    public void Convert_CurrentConnectionForm_MapsEveryActivityEdgeAndPosition()
    {
        var result = Convert(Fixture("order-review.json"));

        Assert.True(result.Succeeded, result.ToString());
        var definition = result.Definition;
        Assert.Equal(("order-review", "Order review"), (definition.Id, definition.Name));
        Assert.StartsWith("Checks stock and payment", definition.Description);
        Assert.Equal(
            ["WriteLine1:log", "FlowFork1:noop", "WriteLine2:log", "SetVariable1:setVariable", "FlowJoin1:join", "FlowDecision1:noop", "SetVariable2:setVariable", "Finish1:noop"],
            NodeTypes(definition));
        Assert.Equal("""{"message":"Order received"}""", Inputs(Node(definition, "WriteLine1")));
        Assert.Equal("""{"message":"{{ string(vars.orderId) }}"}""", Inputs(Node(definition, "WriteLine2")));
        Assert.Equal("""{"name":"status","value":"checking"}""", Inputs(Node(definition, "SetVariable1")));
        Assert.Equal("""{"name":"status","value":"review"}""", Inputs(Node(definition, "SetVariable2")));
        Assert.Equal("""{"mode":"WaitAny"}""", Inputs(Node(definition, "FlowJoin1")));
        Assert.Empty(Node(definition, "FlowDecision1").Inputs);

        // A fork takes every branch, so its edges are plain 'done' edges; the branch names stay as labels.
        Assert.Equal(
            [
                "FlowDecision1->Finish1 [js: !(getVariable('amount') > 1000)]",
                "FlowDecision1->SetVariable2 [js: getVariable('amount') > 1000]",
                "FlowFork1->SetVariable1",
                "FlowFork1->WriteLine2",
                "FlowJoin1->FlowDecision1",
                "SetVariable1->FlowJoin1",
                "WriteLine1->FlowFork1",
                "WriteLine2->FlowJoin1",
            ],
            EdgeList(definition));
        Assert.Equal(["Stock", "Payment"], definition.Edges.Where(e => e.From == "FlowFork1").Select(e => e.Label));
        Assert.Equal(["True", "False"], definition.Edges.Where(e => e.From == "FlowDecision1").Select(e => e.Label));

        Assert.Equal("""{"x":-420,"y":40}""", Node(definition, "WriteLine1").Layout!.ToJsonString());
        Assert.Equal("""{"x":760,"y":120}""", Node(definition, "Finish1").Layout!.ToJsonString());
        Assert.Equal("Order received", Node(definition, "WriteLine1").Name);

        Assert.Equal("""{"amount":250,"status":"new","orderId":null}""", new JsonObject(definition.Variables.Select(v => KeyValuePair.Create(v.Key, v.Value?.DeepClone()))).ToJsonString());
        var customer = Assert.Single(definition.Inputs);
        Assert.Equal(("customer", "string", false, "Who placed the order."), (customer.Key, customer.Value.Type, customer.Value.Required, customer.Value.Description));
        Assert.Empty(definition.Triggers);
        Assert.Empty(result.Notes);
    }

    //   Cron1 ──> Delay1 ──> Sequence1[ WriteLine3 ──> ExecuteWorkflow1 ] ──> Fork1 ──> Delay2 ─────────────┐
    //                                                                           └──> DispatchWorkflow1 ──┴──> Fork1.join (WaitAny) ──> WriteLine4
    [Fact]
    public void Convert_LegacyConnectionForm_ExpandsSequenceForkAndCronTrigger()
    {
        var result = Convert(Fixture("nightly-sync.json"));

        Assert.True(result.Succeeded, result.ToString());
        var definition = result.Definition;
        Assert.Equal("nightly-sync", definition.Id);
        var trigger = Assert.Single(definition.Triggers);
        Assert.Equal(("cron", "0 0 2 * * *"), (trigger.Type, trigger.Cron));
        Assert.Equal(
            [
                "Cron1:noop", "Delay1:delay", "Sequence1.WriteLine3:log", "Sequence1.ExecuteWorkflow1:workflow",
                "Fork1:noop", "Fork1.Delay2:delay", "Fork1.DispatchWorkflow1:workflow", "Fork1.join:join", "WriteLine4:log",
            ],
            NodeTypes(definition));
        Assert.Equal("""{"duration":"00:05:00"}""", Inputs(Node(definition, "Delay1")));
        Assert.Equal("""{"message":"Syncing {{ vars.region }}"}""", Inputs(Node(definition, "Sequence1.WriteLine3")));
        Assert.Equal("""{"definitionId":"inventory-sync","input":{"full":true,"region":"eu-west"}}""", Inputs(Node(definition, "Sequence1.ExecuteWorkflow1")));
        Assert.Equal("""{"duration":"01:00:00"}""", Inputs(Node(definition, "Fork1.Delay2")));
        Assert.Equal("""{"definitionId":"notify-ops","input":"{{ vars.notice }}","wait":false}""", Inputs(Node(definition, "Fork1.DispatchWorkflow1")));
        Assert.Equal("""{"mode":"WaitAny"}""", Inputs(Node(definition, "Fork1.join")));
        Assert.Equal(
            [
                "Cron1->Delay1",
                "Delay1->Sequence1.WriteLine3",
                "Fork1->Fork1.Delay2",
                "Fork1->Fork1.DispatchWorkflow1",
                "Fork1.Delay2->Fork1.join",
                "Fork1.DispatchWorkflow1->Fork1.join",
                "Fork1.join->WriteLine4",
                "Sequence1.ExecuteWorkflow1->Fork1",
                "Sequence1.WriteLine3->Sequence1.ExecuteWorkflow1",
            ],
            EdgeList(definition));
        Assert.Equal("""{"channel":"ops","urgent":false}""", definition.Variables["notice"]!.ToJsonString());

        // The dispatch waits for nothing, as in Elsa; the execute waits, as in Elsa. Nothing is lossy.
        Assert.Null(Node(definition, "Sequence1.ExecuteWorkflow1").Inputs["wait"]);
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Convert_UnsupportedActivities_FailsOnceListingEveryOneOfThem()
    {
        var result = Convert(Fixture("http-approval.json"));

        Assert.False(result.Succeeded);
        Assert.Null(result.Definition);
        Assert.Empty(result.Notes);
        Assert.Equal(
            [("Break1", "Elsa.Break"), ("SendEmail1", "Elsa.SendEmail")],
            result.Problems.Select(p => (p.ActivityId, p.ActivityType)));
        Assert.All(result.Problems, p => Assert.Contains($"'{p.ActivityType}' has no TaskFlow equivalent", p.Message));
        Assert.Contains("2 problems", result.ToString());
    }

    [Theory]
    [InlineData("order-review.json")]
    [InlineData("nightly-sync.json")]
    public void Convert_Fixture_ValidatesAndRoundTripsThroughWorkflowJson(string fixture)
    {
        var definition = Import(Fixture(fixture));

        AssertValid(definition);
        var json = WorkflowJson.Serialize(definition);
        var reread = WorkflowJson.Parse(json);
        AssertValid(reread);
        Assert.Equal(json, WorkflowJson.Serialize(reread));
        Assert.Equal(NodeTypes(definition), NodeTypes(reread));
        Assert.Equal(EdgeList(definition), EdgeList(reread));
    }

    //   A ──> B   (current form)
    //   B ──> C   (legacy form, in the same file)
    [Fact]
    public void Convert_MixedConnectionForms_ReadsBoth()
    {
        var json = Definition($"{WriteLine("A")}, {WriteLine("B")}, {WriteLine("C")}", $"{Link("A", "B")}, {LegacyLink("B", "C")}");

        var definition = Import(json);

        Assert.Equal(["A->B", "B->C"], EdgeList(definition));
        AssertValid(definition);
    }

    [Fact]
    public void Convert_MalformedJson_ReportsWhereWithoutAnActivity()
    {
        const string json = "{\n  \"definitionId\": \"wf\"\n  \"root\": { \"type\": \"Elsa.Flowchart\" }\n}";

        var problem = SingleProblem(json);

        Assert.Null(problem.ActivityId);
        Assert.Null(problem.ActivityType);
        Assert.StartsWith("The document is not valid JSON (line 3,", problem.Message);
    }

    [Theory]
    [InlineData("", "The document is empty")]
    [InlineData("   ", "The document is empty")]
    [InlineData("null", "The document is a JSON null")]
    [InlineData("[1, 2]", "The document is a JSON array")]
    [InlineData("""{ "name": "no root here" }""", "it has no 'root' activity")]
    [InlineData("""{ "activities": [ { "activityId": "a", "type": "WriteLine" } ], "connections": [] }""", "Elsa 2 workflow definition")]
    public void Convert_NotAnElsa3Definition_ReportsOneDocumentProblem(string json, string expected)
    {
        var problem = SingleProblem(json);

        Assert.Null(problem.ActivityId);
        Assert.Contains(expected, problem.Message);
    }

    [Theory]
    [InlineData("""{ "Id": "a", "id": "b", "root": {} }""")]
    [InlineData("""{ "definitionId": "wf", "root": { "id": "F", "type": "Elsa.Flowchart", "activities": [ { "id": "A", "ID": "B", "type": "Elsa.WriteLine" } ] } }""")]
    public void Convert_MemberWrittenTwice_ReportsAProblemInsteadOfThrowing(string json)
    {
        var problem = SingleProblem(json);

        Assert.Null(problem.ActivityId);
        Assert.StartsWith("The document could not be read as an Elsa workflow definition", problem.Message);
    }

    [Fact]
    public void Convert_RootIsASequence_RunsAsAFlowchartOfThatSequence()
    {
        const string json = """
            { "definitionId": "wf", "root": { "id": "Sequence1", "type": "Elsa.Sequence", "activities": [
              { "id": "A", "type": "Elsa.WriteLine", "text": "one" }, { "id": "B", "type": "Elsa.WriteLine", "text": "two" } ] } }
            """;

        var definition = Import(json);

        Assert.Equal(["Sequence1.A:log", "Sequence1.B:log"], NodeTypes(definition));
        Assert.Equal(["Sequence1.A->Sequence1.B"], EdgeList(definition));
    }

    [Fact]
    public void Convert_RootWithoutType_NamesTheProblem()
    {
        var problem = SingleProblem("""{ "definitionId": "wf", "root": { "id": "X" } }""");

        Assert.Equal("X", problem.ActivityId);
        Assert.Contains("The root activity has no type", problem.Message);
    }

    [Fact]
    public void Convert_ConnectionToUnknownActivity_NamesTheMissingActivity()
    {
        var json = Definition($"{WriteLine("A")}, {WriteLine("B")}", $"{Link("A", "B")}, {Link("B", "Ghost1")}");

        var problem = SingleProblem(json);

        Assert.Equal(("B", "Elsa.WriteLine"), (problem.ActivityId, problem.ActivityType));
        Assert.Contains("points at 'Ghost1', which is not an activity of flowchart 'Flowchart1'", problem.Message);
    }

    [Fact]
    public void Convert_CSharpDecisionCondition_RefusesAndSaysWhy()
    {
        const string condition = "return Variable.Get<Order>(\"order\").IsVip;";
        var json = Definition($"{WriteLine("A")}, {Decision("Decision1", "CSharp", condition)}, {WriteLine("B")}",
            $"{Link("A", "Decision1")}, {Link("Decision1", "B", "True")}");

        var problem = SingleProblem(json);

        Assert.Equal(("Decision1", "Elsa.FlowDecision"), (problem.ActivityId, problem.ActivityType));
        Assert.Contains(condition, problem.Message);
        Assert.Contains("would silently send the workflow down the wrong branch", problem.Message);
    }

    //   A ──> Decision1 ─[True: js]──> B
    //                   └[False: !js]─> C
    [Fact]
    public void Convert_JavaScriptDecisionCondition_KeepsItAsAJsConditionAndNegatesIt()
    {
        const string condition = "var order = getVariable('order');\nreturn order.items.length > 2;";
        var json = Definition($"{WriteLine("A")}, {Decision("Decision1", "JavaScript", condition)}, {WriteLine("B")}, {WriteLine("C")}",
            $"{Link("A", "Decision1")}, {Link("Decision1", "B", "True")}, {Link("Decision1", "C", "False")}");

        var definition = Import(json);

        var taken = Assert.IsType<JsonObject>(Assert.Single(definition.Edges, e => e.To == "B").Condition);
        var other = Assert.IsType<JsonObject>(Assert.Single(definition.Edges, e => e.To == "C").Condition);
        Assert.Equal($"(() => {{ {condition} }})()", taken["js"]!.GetValue<string>());
        Assert.Equal($"!((() => {{ {condition} }})())", other["js"]!.GetValue<string>());
        AssertValid(definition);
    }

    [Fact]
    public void Convert_DefinitionWrappedInSaveRequest_ReadsTheModel()
    {
        var json = $$"""{ "model": {{Definition(WriteLine("A"), id: "wrapped")}}, "publish": true }""";

        var definition = Import(json);

        Assert.Equal("wrapped", definition.Id);
        Assert.Equal(["A:log"], NodeTypes(definition));
    }

    [Fact]
    public void Convert_PascalCaseMembersAndShortTypeNames_AreAccepted()
    {
        const string json = """
            { "DefinitionId": "pascal", "Root": { "Id": "F", "Type": "Flowchart",
              "Activities": [ { "Id": "A", "Type": "WriteLine", "Text": { "TypeName": "String", "Expression": { "Type": "Literal", "Value": "hello" } } } ],
              "Connections": [] } }
            """;

        var definition = Import(json);

        Assert.Equal("pascal", definition.Id);
        Assert.Equal("""{"message":"hello"}""", Inputs(Node(definition, "A")));
    }
}
