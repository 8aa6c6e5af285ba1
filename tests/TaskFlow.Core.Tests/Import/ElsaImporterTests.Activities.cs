using System.Text.Json.Nodes;
using TaskFlow.Core.Import;

namespace TaskFlow.Core.Tests.Import;

/// <summary>The activities of HTTP, events, tasks, scripts, outputs and control flow.</summary>
public partial class ElsaImporterTests
{
    private static string Literal(string value, string type = "String") =>
        $$"""{ "typeName": "{{type}}", "expression": { "type": "Literal", "value": {{JsonValue.Create(value).ToJsonString()}} } }""";

    private static string Script(string source, string language = "JavaScript") =>
        $$"""{ "typeName": "Object", "expression": { "type": "{{language}}", "value": {{JsonValue.Create(source).ToJsonString()}} } }""";

    private const string BodyVariable = """{ "id": "v1", "name": "Body", "typeName": "Object" }""";

    //   POST /workflows/orders ──> Http1 (noop) ──> Http1.set-Body ──> Respond1 (http.respond 201)
    [Fact]
    public void Convert_HttpEndpointAndResponse_AreATriggerAndAnHttpRespondNode()
    {
        var endpoint = Activity("Http1", "Elsa.HttpEndpoint",
            $$"""
            "path": {{Literal("/orders")}}, "supportedMethods": { "typeName": "String[]", "expression": { "type": "Object", "value": "[\"POST\"]" } },
            "authorize": { "typeName": "Boolean", "expression": { "type": "Literal", "value": true } },
            "parsedContent": { "typeName": "Object", "memoryReference": { "id": "v1" } }
            """);
        var respond = Activity("Respond1", "Elsa.WriteHttpResponse", $$""" "statusCode": {{Literal("Created")}}, "content": {{Script("getBody()")}} """);
        var json = Definition($"{endpoint}, {respond}", Link("Http1", "Respond1"), BodyVariable);

        var definition = Import(json);

        var trigger = Assert.Single(definition.Triggers);
        Assert.Equal(("http", "orders", "POST", "apiKey"), (trigger.Type, trigger.Path, Assert.Single(trigger.Methods!), trigger.Auth));
        Assert.Equal(["Http1:noop", "Http1.set-Body:setVariable", "Respond1:http.respond"], NodeTypes(definition));
        Assert.Equal("{{ input.body }}", Node(definition, "Http1.set-Body").Inputs["value"]!.GetValue<string>());
        Assert.Equal("""{"status":201,"body":"{{ vars.Body }}"}""", Inputs(Node(definition, "Respond1")));
        Assert.Equal(["Http1->Http1.set-Body", "Http1.set-Body->Respond1"], EdgeList(definition));
    }

    [Fact]
    public void Convert_HttpEndpointAfterAnotherActivity_IsRefusedNamingIt()
    {
        var endpoint = Activity("Http1", "Elsa.HttpEndpoint", $""" "path": {Literal("orders")} """);
        var json = Definition($"{WriteLine("A")}, {endpoint}", Link("A", "Http1"));

        var problem = SingleProblem(json);

        Assert.Equal(("Http1", "Elsa.HttpEndpoint"), (problem.ActivityId, problem.ActivityType));
        Assert.Contains("TaskFlow serves HTTP requests only as triggers", problem.Message);
    }

    //   Send1 ──[status == 200]──> Ok
    //         ──error─────────────> Failed      (Unmatched status code)
    [Fact]
    public void Convert_FlowSendHttpRequestPorts_AreStatusConditionsAndAnErrorEdge()
    {
        var send = Activity("Send1", "Elsa.FlowSendHttpRequest",
            $$""" "url": {{Literal("https://example.com/users")}}, "method": {{Literal("GET")}}, "expectedStatusCodes": { "typeName": "Int32[]", "expression": { "type": "Object", "value": "[\"200\",\"404\"]" } } """);
        var json = Definition($"{send}, {WriteLine("Ok")}, {WriteLine("Failed")}", $"{Link("Send1", "Ok", "200")}, {Link("Send1", "Failed", "Unmatched status code")}");

        var definition = Import(json);

        Assert.Equal("""{"url":"https://example.com/users","method":"GET","expectStatus":[200,404]}""", Inputs(Node(definition, "Send1")));
        Assert.Equal(["Send1->Failed :error", "Send1->Ok [nodes.Send1.output.status == 200]"], EdgeList(definition));
    }

    [Fact]
    public void Convert_SetOutputInTwoBranches_OutputReadsTheLaterOneThatRan()
    {
        var first = Activity("Out1", "Elsa.SetOutput", $$""" "outputName": {{Literal("Result")}}, "outputValue": {{Literal("a")}} """);
        var second = Activity("Out2", "Elsa.SetOutput", $$""" "outputName": {{Literal("result")}}, "outputValue": {{Script("1 + 1")}} """);
        var json = Definition($"{first}, {second}").Replace("\"variables\"", "\"outputs\": [ { \"name\": \"Result\", \"type\": \"Object\" }, { \"name\": \"Unset\" } ], \"variables\"");

        var definition = Import(json);

        Assert.Equal("""{"Result":"{{ nodes.Out2.output ?? nodes.Out1.output }}","Unset":"{{ null }}"}""", definition.Output!.ToJsonString());
        Assert.Equal(["Out1:transform", "Out2:transform"], NodeTypes(definition));
        AssertValid(definition);
    }

    [Fact]
    public void Convert_EventRunTaskAndFault_AreEventAgentAndFailNodes()
    {
        var wait = Activity("Event1", "Elsa.Event", $""" "eventName": {Literal("paid")} """);
        var task = Activity("Task1", "Elsa.RunTask", $$""" "taskName": {{Literal("Create Email")}}, "payload": {{Script("({ employee: getVariable('Body') })")}} """);
        var fault = Activity("Fault1", "Elsa.Fault", $""" "message": {Literal("that went south")} """);
        var json = Definition($"{wait}, {task}, {fault}", $"{Link("Event1", "Task1")}, {Link("Task1", "Fault1")}", BodyVariable);

        var definition = Import(json);

        Assert.Equal(["Event1:event", "Task1:agent", "Fault1:fail"], NodeTypes(definition));
        Assert.Equal("""{"name":"paid"}""", Inputs(Node(definition, "Event1")));
        Assert.Equal("Create Email", Node(definition, "Task1").Inputs["capability"]!.GetValue<string>());
        Assert.Equal("""{"message":"that went south"}""", Inputs(Node(definition, "Fault1")));
    }

    [Fact]
    public void Convert_TimerAsStartActivity_IsACronTriggerAndMidFlowADelay()
    {
        var start = Activity("Timer1", "Elsa.Timer", $""" "interval": {Literal("00:15:00", "TimeSpan")} """);
        var later = Activity("Timer2", "Elsa.Timer", $""" "interval": {Literal("00:00:30", "TimeSpan")} """);
        var json = Definition($"{start}, {later}", Link("Timer1", "Timer2"));

        var definition = Import(json);

        Assert.Equal("0 */15 * * * *", Assert.Single(definition.Triggers).Cron);
        Assert.Equal("""{"duration":"00:00:30"}""", Inputs(Node(definition, "Timer2")));
    }

    [Fact]
    public void Convert_ParallelForEachWithOneActivityBody_IsAForEachNodeReadingItem()
    {
        const string body = """
            "body": { "id": "Body1", "type": "Elsa.Flowchart", "activities": [
              { "id": "W1", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "JavaScript", "value": "`Fruit: ${getCurrentValue()}`" } } } ], "connections": [] }
            """;
        var each = Activity("Each1", "Elsa.ParallelForEach", $$""" "items": {{Script("[\"Apple\", \"Banana\"]")}}, {{body}} """);

        var definition = Import(Definition(each));

        var node = Assert.Single(definition.Nodes);
        Assert.Equal("foreach", node.Type);
        Assert.Equal("""["Apple","Banana"]""", node.Inputs["items"]!.ToJsonString());
        Assert.Equal("log", node.Inputs["body"]!["type"]!.GetValue<string>());
        Assert.Equal("`Fruit: ${(item)}`", node.Inputs["body"]!["inputs"]!["message"]!["js"]!.GetValue<string>());
    }

    //   Each1 (ForEach) ── body: Check ─[True]─> Big ──> Done
    //                                 └─[False]─────────────┘
    [Fact]
    public void Convert_ForEachWithABodyOfSeveralActivities_RunsTheBodyAsAWorkflowOfItsOwnPerItem()
    {
        var check = Decision("Check", "JavaScript", "getCurrentValue() > getLimit()");
        var big = WriteLine("Big", "`Big: ${getCurrentValue()}`", "JavaScript");
        var done = Activity("Done", "Elsa.FlowJoin", """ "mode": { "typeName": "String", "expression": { "type": "Literal", "value": "WaitAny" } } """);
        var body = $$"""
            "body": { "id": "Body1", "type": "Elsa.Flowchart", "activities": [ {{check}}, {{big}}, {{done}} ],
                      "connections": [ {{Link("Check", "Big", "True")}}, {{Link("Big", "Done")}}, {{Link("Check", "Done", "False")}} ] }
            """;
        var each = Activity("Each1", "Elsa.ForEach", $$""" "name": "Orders", "items": {{Script("[5, 50]")}}, {{body}} """);
        var limit = """{ "id": "limit", "name": "Limit", "typeName": "Int32", "value": "10" }""";

        var result = ElsaImporter.Convert(Definition(each, variables: limit));

        Assert.True(result.Succeeded, result.ToString());
        var loop = Assert.Single(result.Definition.Nodes);
        Assert.Equal("foreach", loop.Type);
        Assert.Equal(1L, loop.Inputs["maxParallelism"]!.GetValue<long>());
        var companion = Assert.Single(result.Companions);
        Assert.Equal("wf.Each1-body", companion.Id);
        Assert.Equal(
            """{"type":"workflow","inputs":{"definitionId":"wf.Each1-body","input":{"item":"{{ item }}","index":"{{ index }}"}}}""",
            loop.Inputs["body"]!.ToJsonString());

        // The body reads the item from its input and the parent's variables as declared.
        Assert.Equal(["item", "index"], companion.Inputs.Keys.Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(10L, companion.Variables["Limit"]!.GetValue<long>());
        Assert.Equal(["Big:log", "Check:noop", "Done:join"], NodeTypes(companion).Order(StringComparer.Ordinal));
        Assert.Equal("`Big: ${(getInput('item'))}`", Node(companion, "Big").Inputs["message"]!["js"]!.GetValue<string>());
        Assert.Contains(companion.Edges, e => e.From == "Check" && e.To == "Big" && e.Condition is JsonObject js && js["js"]!.GetValue<string>().Contains("getInput('item')", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.Contains("'wf.Each1-body', run once per item", StringComparison.Ordinal));
        AssertValid(companion);
    }

    [Fact]
    public void Convert_ForEachBodyWithAnActivityWithoutEquivalent_NamesTheLoopAndTheActivity()
    {
        var body = $$"""
            "body": { "id": "Body1", "type": "Elsa.Sequence", "activities": [ {{WriteLine("W1")}}, {{Activity("Odd1", "Acme.Unknown")}} ] }
            """;
        var each = Activity("Each1", "Elsa.ParallelForEach", $$""" "name": "Orders", "items": {{Script("[1, 2]")}}, {{body}} """);

        var result = ElsaImporter.Convert(Definition(each));

        Assert.False(result.Succeeded);
        var problem = Assert.Single(result.Problems);
        Assert.Equal("Odd1", problem.ActivityId);
        Assert.Contains("In the body of loop 'Orders'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("'Acme.Unknown'", problem.ToString(), StringComparison.Ordinal);
        Assert.Empty(result.Companions);
    }

    [Theory]
    [InlineData("0", "3", "1", "true", "[0,1,2,3]")]
    [InlineData("0", "6", "2", "false", "[0,2,4]")]
    [InlineData("3", "1", "-1", "true", "[3,2,1]")]
    [InlineData("5", "1", "1", "true", "[]")]
    public void Convert_ForWithLiteralBounds_IsAForEachOverTheCounterOneAtATime(string start, string end, string step, string inclusive, string expected)
    {
        var loop = Activity("For1", "Elsa.For", $$"""
            "start": {{Literal(start, "Int32")}}, "end": {{Literal(end, "Int32")}}, "step": {{Literal(step, "Int32")}},
            "outerBoundInclusive": {{Literal(inclusive, "Boolean")}}, "body": {{WriteLine("Line1", "`n = ${getCurrentValue()}`", "JavaScript")}}
            """);

        var definition = Import(Definition(loop));

        var node = Assert.Single(definition.Nodes);
        Assert.Equal("foreach", node.Type);
        Assert.Equal(expected, node.Inputs["items"]!.ToJsonString());
        Assert.Equal(1L, node.Inputs["maxParallelism"]!.GetValue<long>());
        Assert.Equal("`n = ${(item)}`", node.Inputs["body"]!["inputs"]!["message"]!["js"]!.GetValue<string>());
        AssertValid(definition);
    }

    [Fact]
    public void Convert_ForWithAJavaScriptBound_ComputesTheCounterInJavaScript()
    {
        var loop = Activity("For1", "Elsa.For", $$"""
            "start": {{Literal("1", "Int32")}}, "end": {{Script("getCount()")}}, "body": {{WriteLine("Line1")}}
            """);
        var count = """{ "id": "count", "name": "Count", "typeName": "Int32", "value": "3" }""";

        var definition = Import(Definition(loop, variables: count));

        var script = Assert.Single(definition.Nodes).Inputs["items"]!["js"]!.GetValue<string>();
        Assert.Contains("end = ((getVariable('Count')))", script, StringComparison.Ordinal);
        Assert.Contains("i <= end", script, StringComparison.Ordinal);
        AssertValid(definition);
    }

    [Fact]
    public void Convert_ForWithAStepOfZeroOrACSharpBound_NamesTheProblem()
    {
        var zero = Activity("For1", "Elsa.For", $$""" "end": {{Literal("3", "Int32")}}, "step": {{Literal("0", "Int32")}}, "body": {{WriteLine("L1")}} """);
        var csharp = Activity("For2", "Elsa.For", $$""" "end": {{Script("Variables.Count", "CSharp")}}, "body": {{WriteLine("L2")}} """);

        Assert.Contains("step is 0", SingleProblem(Definition(zero)).Message, StringComparison.Ordinal);
        var problem = SingleProblem(Definition(csharp));
        Assert.Equal("For2", problem.ActivityId);
        Assert.Contains("end", problem.Message, StringComparison.Ordinal);
        Assert.Contains("CSharp", problem.Message, StringComparison.Ordinal);
    }

    //   Parallel1: [ A, B ] (both, at once) ──> After
    [Fact]
    public void Convert_Parallel_FansOutToEachActivityAndWaitsForAll()
    {
        var parallel = Activity("Parallel1", "Elsa.Parallel", $$""" "activities": [ {{WriteLine("A")}}, {{WriteLine("B")}} ] """);

        var definition = Import(Definition($"{parallel}, {WriteLine("After")}", Link("Parallel1", "After")));

        Assert.Equal(["After:log", "Parallel1.A:log", "Parallel1.B:log", "Parallel1.join:join", "Parallel1:noop"], NodeTypes(definition).Order(StringComparer.Ordinal));
        Assert.Equal("""{"mode":"WaitAll"}""", Inputs(Node(definition, "Parallel1.join")));
        Assert.Equal(["Parallel1->Parallel1.A", "Parallel1->Parallel1.B", "Parallel1.A->Parallel1.join", "Parallel1.B->Parallel1.join", "Parallel1.join->After"], EdgeList(definition));
        AssertValid(definition);
    }

    [Fact]
    public void Convert_PublishEvent_IsAnEventPublishNode_LocalToItsRunWhenIsLocal()
    {
        var everyone = Activity("Publish1", "Elsa.PublishEvent", $$"""
            "eventName": {{Literal("order-paid")}}, "correlationId": {{Script("getOrderId()")}}, "payload": {{Literal("{\"amount\": 42}", "Object")}}
            """);
        var local = Activity("Publish2", "Elsa.PublishEvent", $$""" "eventName": {{Literal("step-done")}}, "isLocal": {{Literal("true", "Boolean")}} """);
        var orderId = """{ "id": "order", "name": "OrderId", "typeName": "String", "value": "o-1" }""";

        var definition = Import(Definition($"{everyone}, {local}", Link("Publish1", "Publish2"), variables: orderId));

        Assert.Equal(["Publish1:event.publish", "Publish2:event.publish"], NodeTypes(definition));
        var first = Node(definition, "Publish1").Inputs;
        Assert.Equal("order-paid", first["name"]!.GetValue<string>());
        Assert.Equal("{{ string(vars.OrderId) }}", first["correlation"]!.GetValue<string>());
        Assert.Equal(42, first["payload"]!["amount"]!.GetValue<int>());
        Assert.Null(first["instanceId"]);
        Assert.Equal("""{"name":"step-done","instanceId":"{{ instance.id }}"}""", Inputs(Node(definition, "Publish2")));
        AssertValid(definition);
    }

    [Fact]
    public void Convert_AnElsaAgentsActivity_IsAnAgentTaskForThatAgent_WithItsInputs()
    {
        var agent = Activity("Translate1", "Elsa.Agents.Translator", $$"""
            "name": "Translate1", "content": {{Script("getArticle()")}}, "language": {{Literal("French")}}, "output": { "typeName": "Object", "memoryReference": { "id": "v1" } }
            """);
        var variables = """{ "id": "a", "name": "Article", "typeName": "Object", "value": "{}" }, { "id": "v1", "name": "Translated", "typeName": "Object" }""";

        var result = ElsaImporter.Convert(Definition(agent, variables: variables));

        Assert.True(result.Succeeded, result.ToString());
        var node = Node(result.Definition, "Translate1");
        Assert.Equal("agent", node.Type);
        Assert.Equal(("Translate1", "Translator"), (node.Inputs["title"]!.GetValue<string>(), node.Inputs["capability"]!.GetValue<string>()));
        Assert.Equal("French", node.Inputs["input"]!["language"]!.GetValue<string>());
        Assert.NotNull(node.Inputs["input"]!["content"]);
        Assert.Contains(result.Definition.Nodes, n => n.Type == "setVariable" && n.Inputs["name"]!.GetValue<string>() == "Translated");
        Assert.Contains(result.Notes, n => n.Contains("capability 'Translator'", StringComparison.Ordinal));
        AssertValid(result.Definition);
    }

    [Fact]
    public void Convert_Elsa2sJoin_IsAFlowJoin_WithANote()
    {
        var join = Activity("Join1", "Elsa.Join", """ "mode": "WaitAll" """);

        var result = ElsaImporter.Convert(Definition($"{WriteLine("A")}, {WriteLine("B")}, {join}", $"{Link("A", "Join1")}, {Link("B", "Join1")}"));

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("""{"mode":"WaitAll"}""", Inputs(Node(result.Definition, "Join1")));
        Assert.Contains(result.Notes, n => n.Contains("Elsa 2's name", StringComparison.Ordinal));
    }

    [Fact]
    public void Convert_RunJavaScript_IsAJavaScriptNodeWithTheScriptAndItsResultBound()
    {
        var run = Activity("Js1", "Elsa.RunJavaScript", $$""" "script": {{Literal("return getBody().total * 2;")}}, "result": { "typeName": "Object", "memoryReference": { "id": "v1" } } """);

        var definition = Import(Definition(run, variables: BodyVariable));

        Assert.Equal(["Js1:javascript", "Js1.set-Body:setVariable"], NodeTypes(definition));
        Assert.Equal("return (getVariable('Body')).total * 2;", Node(definition, "Js1").Inputs["script"]!.GetValue<string>());
        AssertValid(definition);
    }

    [Fact]
    public void Convert_ByteOrderMarkAndCommentAfterTheJsonAndNoId_ImportsWithTheFileNameAsId()
    {
        var json = "\uFEFF" + """{ "name": "", "root": { "type": "Elsa.Flowchart", "activities": [ { "id": "A", "type": "Elsa.WriteLine", "text": "hi" } ] } }""" + "\n/* exported from the designer */\n";

        var result = ElsaImporter.Convert(json, "orders-intake.json", []);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal("orders-intake", result.Definition.Id);
        Assert.Contains(result.Notes, n => n.Contains("from its file name", StringComparison.Ordinal));
    }

    [Fact]
    public void Convert_LiquidWithATag_IsKeptAsALiquidTemplate()
    {
        const string text = "{% if Variables.Body %}Body: {{ Variables.Body }}{% endif %}";
        var json = Definition(WriteLine("A", text, "Liquid"), variables: BodyVariable);

        var definition = Import(json);

        Assert.Equal(text, Node(definition, "A").Inputs["message"]!["liquid"]!.GetValue<string>());
        AssertValid(definition);
    }

    [Fact]
    public void Convert_Elsa2Definition_IsRefusedSayingSo()
    {
        var problem = SingleProblem("""{ "activities": [ { "activityId": "a1", "type": "WriteLine" } ], "connections": [] }""");

        Assert.Contains("This is an Elsa 2 workflow definition", problem.Message);
    }
}
