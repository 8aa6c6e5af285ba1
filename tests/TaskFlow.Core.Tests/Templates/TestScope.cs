using System.Text.Json.Nodes;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Tests.Templates;

// Scopes shaped like the engine's: input, vars, nodes.*.output, item, index, output.
internal static class TestScope
{
    public const string Json = """
        {
          "input": {
            "name": "Ada", "count": 3, "price": 2.5, "flag": true, "empty": "", "zero": 0, "nothing": null,
            "tags": ["a", "b"], "nested": { "deep": { "value": 42 } }, "obj": { "x": 1, "y": 2 }, "big": 1e300,
            "unicode": "héllo <b>"
          },
          "vars": { "greeting": "hello", "list": [1, 2, 3], "key": "name", "i": 1 },
          "nodes": {
            "fetch": { "output": { "status": 200, "body": "ok", "items": [{ "id": 1 }, { "id": 2 }] } },
            "my-node": { "output": { "ok": true } }
          },
          "item": { "id": 7 },
          "index": 2,
          "output": { "ok": true }
        }
        """;

    public static JsonObject Create() => Parse(Json);

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    // Evaluates a bare expression against the default scope and returns compact JSON ("null" for null).
    public static string Eval(string expression) => Eval(expression, Create());

    public static string Eval(string expression, JsonObject scope) =>
        TemplateExpression.Parse(expression).Evaluate(scope)?.ToJsonString() ?? "null";

    public static TemplateEvaluationException EvalError(string expression) =>
        Assert.Throws<TemplateEvaluationException>(() => TemplateExpression.Parse(expression).Evaluate(Create()));

    public static TemplateSyntaxException SyntaxError(string template) =>
        Assert.Throws<TemplateSyntaxException>(() => Template.Parse(template));
}
