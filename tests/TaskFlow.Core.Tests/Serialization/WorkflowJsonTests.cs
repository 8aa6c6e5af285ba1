using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Tests.Serialization;

public class WorkflowJsonTests
{
    //   fetch ──> split ──[error]──> alert
    //                 └──[output.ok]──> merge (join)
    //   fetch ────────────────────────┘
    private const string FullDocument = """
        {
          "id": "order-fulfilment",
          "version": 3,
          "name": "Order fulfilment",
          "description": "Ships an order.",
          "inputs": { "orderId": { "type": "string", "required": true, "default": "o-1", "description": "The order." } },
          "variables": { "count": 2, "tags": ["a", "b"], "nothing": null },
          "nodes": [
            { "id": "fetch", "type": "transform", "name": "Fetch", "inputs": { "value": "{{ input.orderId }}" },
              "retry": { "maxAttempts": 4, "backoff": "fixed", "delay": "250ms", "maxDelay": "10s", "factor": 3 },
              "timeout": "30s", "tier": 2,
              "workspace": { "mode": "container", "scope": "instance", "image": "alpine:3", "limits": { "cpu": 1 }, "network": "none" },
              "layout": { "x": 10, "y": 20 } },
            { "id": "split", "type": "noop", "inputs": {} },
            { "id": "alert", "type": "fail", "inputs": { "message": "failed" } },
            { "id": "merge", "type": "join", "inputs": { "mode": "WaitAny" } }
          ],
          "edges": [
            { "from": "fetch", "to": "split" },
            { "id": "on-error", "from": "split", "to": "alert", "fromPort": "error", "toPort": "in", "label": "Failure" },
            { "from": "split", "to": "merge", "condition": "output.ok" },
            { "from": "fetch", "to": "merge" }
          ],
          "triggers": [
            { "type": "cron", "cron": "0 6 * * 1-5", "timeZone": "Europe/Berlin", "input": { "orderId": "nightly" } },
            { "type": "http", "path": "orders" },
            { "type": "hook", "event": "PreToolUse" }
          ],
          "output": { "result": "{{ nodes.merge.output }}", "fixed": [1, true] },
          "x-designer": { "zoom": 1.5 }
        }
        """;

    [Fact]
    public void Parse_FullDocument_ReadsEveryField()
    {
        var definition = WorkflowJson.Parse(FullDocument);

        Assert.Equal("order-fulfilment", definition.Id);
        Assert.Equal(3, definition.Version);
        Assert.Equal("Order fulfilment", definition.Name);
        Assert.Equal("Ships an order.", definition.Description);
        var input = definition.Inputs["orderId"];
        Assert.Equal(("string", true, "\"o-1\"", "The order."), (input.Type, input.Required, input.Default!.ToJsonString(), input.Description));
        Assert.Equal("""{"count":2,"tags":["a","b"],"nothing":null}""", new JsonObject(definition.Variables.Select(v => KeyValuePair.Create(v.Key, v.Value?.DeepClone()))).ToJsonString());

        Assert.Equal(["fetch", "split", "alert", "merge"], definition.Nodes.Select(n => n.Id));
        var fetch = definition.Nodes[0];
        Assert.Equal(("transform", "Fetch", "30s", 2), (fetch.Type, fetch.Name, fetch.Timeout, fetch.Tier));
        Assert.Equal("""{"value":"{{ input.orderId }}"}""", fetch.Inputs.ToJsonString());
        Assert.Equal((4, "fixed", "250ms", "10s", 3.0), (fetch.Retry!.MaxAttempts, fetch.Retry.Backoff, fetch.Retry.Delay, fetch.Retry.MaxDelay, fetch.Retry.Factor));
        Assert.Equal(("container", "instance", "alpine:3", """{"cpu":1}"""), (fetch.Workspace!.Mode, fetch.Workspace.Scope, fetch.Workspace.Image, fetch.Workspace.Limits!.ToJsonString()));
        Assert.Equal("none", fetch.Workspace.Extensions!["network"]?.ToString());
        Assert.Equal("""{"x":10,"y":20}""", fetch.Layout!.ToJsonString());

        var onError = definition.Edges[1];
        Assert.Equal(("on-error", "split", "alert", "error", "in", "Failure"), (onError.Id, onError.From, onError.To, onError.FromPort, onError.ToPort, onError.Label));
        Assert.Equal("output.ok", (string?)definition.Edges[2].Condition);
        Assert.Equal("split->merge", definition.Edges[2].DisplayName);

        Assert.Equal(["cron", "http", "hook"], definition.Triggers.Select(t => t.Type));
        Assert.Equal(("0 6 * * 1-5", "Europe/Berlin", """{"orderId":"nightly"}"""), (definition.Triggers[0].Cron, definition.Triggers[0].TimeZone, definition.Triggers[0].Input!.ToJsonString()));
        Assert.Equal("orders", definition.Triggers[1].Path);
        Assert.Equal("PreToolUse", definition.Triggers[2].Event);
        Assert.Equal("""{"result":"{{ nodes.merge.output }}","fixed":[1,true]}""", definition.Output!.ToJsonString());
        Assert.Contains("x-designer", definition.Extensions!.Keys);
    }

    [Fact]
    public void Serialize_ThenParse_KeepsEveryField()
    {
        var original = WorkflowJson.Parse(FullDocument);

        var text = WorkflowJson.Serialize(original);
        var copy = WorkflowJson.Parse(text);

        // Serialising the copy gives the same text, and that text equals the source document once
        // both are normalised: nothing was lost or invented on the way.
        Assert.Equal(text, WorkflowJson.Serialize(copy));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(FullDocument), JsonNode.Parse(text)), text);
    }

    [Fact]
    public void Serialize_MinimalDefinition_OmitsNullsAndUsesCamelCase()
    {
        var definition = new WorkflowDefinition
        {
            Id = "wf",
            Nodes = [new NodeDefinition { Id = "a", Type = "noop" }],
            Edges = [new EdgeDefinition { From = "a", To = "b", FromPort = "error" }],
        };

        var json = JsonNode.Parse(WorkflowJson.Serialize(definition))!;

        Assert.Equal("""{"id":"a","type":"noop","inputs":{}}""", json["nodes"]![0]!.ToJsonString());
        Assert.Equal("""{"from":"a","to":"b","fromPort":"error"}""", json["edges"]![0]!.ToJsonString());
        Assert.Null(json["output"]);
        Assert.Null(json["name"]);
    }

    [Fact]
    public void Parse_CommentsAndTrailingCommas_AreAccepted()
    {
        const string json = """
            // An order workflow.
            {
              "id": "wf", /* the id */
              "nodes": [
                { "id": "a", "type": "noop", },  // trailing comma in an object
                { "id": "b", "type": "noop" },   // and in an array
              ],
              "edges": [ { "from": "a", "to": "b" }, ],
            }
            """;

        var definition = WorkflowJson.TryParse(json, out var problem);

        Assert.Null(problem);
        Assert.NotNull(definition);
        Assert.Equal(["a", "b"], definition.Nodes.Select(n => n.Id));
        Assert.Equal("a->b", Assert.Single(definition.Edges).DisplayName);
    }

    [Fact]
    public void TryParse_UnknownMemberOnNode_NamesTheMember()
    {
        const string json = """{ "id": "wf", "nodes": [ { "id": "a", "type": "noop", "colour": "red" } ] }""";

        var definition = WorkflowJson.TryParse(json, out var problem);

        Assert.Null(definition);
        Assert.NotNull(problem);
        Assert.Equal("json.malformed", problem.Code);
        Assert.Equal("$.nodes[0].colour", problem.Target);
        Assert.Contains("'colour'", problem.Message);
        // Column 55 is the opening quote of "colour".
        Assert.Contains("line 1, column 55", problem.Message);
    }

    [Theory]
    [InlineData("""{ "id": "wf", "nodes": [], "edges": [ { "from": "a", "to": "b", "weight": 1 } ] }""", "$.edges[0].weight")]
    [InlineData("""{ "id": "wf", "nodes": [ { "id": "a", "type": "noop", "retry": { "attempts": 3 } } ] }""", "$.nodes[0].retry.attempts")]
    [InlineData("""{ "id": "wf", "nodes": [], "triggers": [ { "type": "cron", "schedule": "* * * * *" } ] }""", "$.triggers[0].schedule")]
    public void TryParse_UnknownMemberOnStrictType_IsAnErrorAtItsPath(string json, string path)
    {
        var definition = WorkflowJson.TryParse(json, out var problem);

        Assert.Null(definition);
        Assert.Equal(path, problem!.Target);
        Assert.Contains($"'{path[(path.LastIndexOf('.') + 1)..]}'", problem.Message);
    }

    [Fact]
    public void TryParse_ErrorOnLineThree_ReportsLineAndColumn()
    {
        const string json = "{\n  \"id\": \"wf\",\n  \"nodes\": oops\n}";

        WorkflowJson.TryParse(json, out var problem);

        // Line 3 is '  "nodes": oops'; the 'o' of oops is the 12th character.
        Assert.Equal("json.malformed", problem!.Code);
        Assert.StartsWith("Malformed JSON at line 3, column 12", problem.Message);
    }

    [Fact]
    public void TryParse_WrongValueType_ReportsPathLineAndColumn()
    {
        const string json = "{\n  \"id\": \"wf\",\n  \"nodes\": [ { \"id\": \"a\", \"type\": \"noop\", \"tier\": \"high\" } ]\n}";

        WorkflowJson.TryParse(json, out var problem);

        Assert.Equal("json.malformed", problem!.Code);
        Assert.Equal("$.nodes[0].tier", problem.Target);
        // The value "high" starts at column 51 of line 3.
        Assert.StartsWith("Malformed JSON at line 3, column 51 ($.nodes[0].tier)", problem.Message);
    }

    [Fact]
    public void TryParse_NonAsciiTextBeforeTheError_CountsColumnsInCharacters()
    {
        // 'é' and '→' take 2 and 3 bytes in UTF-8; people count them as one character each.
        const string json = "{\n  \"id\": \"wf\",\n  \"name\": \"Café → bar\" oops\n}";

        WorkflowJson.TryParse(json, out var problem);

        Assert.StartsWith("Malformed JSON at line 3, column 24", problem!.Message);
    }

    [Fact]
    public void TryParse_CarriageReturnLineEndings_ReportsTheSameLine()
    {
        const string json = "{\r\n  \"id\": \"wf\",\r\n  \"nodes\": oops\r\n}";

        WorkflowJson.TryParse(json, out var problem);

        Assert.StartsWith("Malformed JSON at line 3, column 12", problem!.Message);
    }

    [Theory]
    [InlineData("", "json.empty")]
    [InlineData("null", "json.null")]
    [InlineData("[1, 2]", "json.malformed")]
    [InlineData("{ \"id\": ", "json.malformed")]
    public void TryParse_NotADefinition_ReturnsNullWithProblem(string json, string code)
    {
        var definition = WorkflowJson.TryParse(json, out var problem);

        Assert.Null(definition);
        Assert.Equal(code, problem!.Code);
    }

    [Fact]
    public void Parse_Invalid_ThrowsValidationExceptionWithTheProblem()
    {
        var ex = Assert.Throws<WorkflowValidationException>(() => WorkflowJson.Parse("{ \"id\": 5 }"));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("json.malformed", problem.Code);
        Assert.Equal("$.id", problem.Target);
        Assert.Contains("line 1, column 9 ($.id)", ex.Message);
    }

    [Fact]
    public void Serialize_JavaScriptCondition_RoundTripsAsAnObject()
    {
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b", "condition": { "js": "getVariable('amount') > 1000" } } ] }
            """;

        var definition = WorkflowJson.Parse(json);
        var again = WorkflowJson.Parse(WorkflowJson.Serialize(definition));

        Assert.Equal("getVariable('amount') > 1000", definition.Edges[0].Condition!["js"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(definition.Edges[0].Condition, again.Edges[0].Condition));
    }
}
