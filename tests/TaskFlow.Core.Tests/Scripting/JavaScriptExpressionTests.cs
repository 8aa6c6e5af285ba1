using System.Text.Json.Nodes;
using TaskFlow.Core.Scripting;
using TaskFlow.Core.Templates;
using TaskFlow.Core.Tests.Templates;

namespace TaskFlow.Core.Tests.Scripting;

public class JavaScriptExpressionTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Eval(string source, JsonObject? scope = null) =>
        JavaScriptExpression.Parse(source).Evaluate(scope ?? TestScope.Create())?.ToJsonString(Relaxed) ?? "null";

    [Theory]
    [InlineData("input.count", "3")]
    [InlineData("input.price * 2", "5")]
    [InlineData("input.price / 2", "1.25")]
    [InlineData("input.name + '!'", "\"Ada!\"")]
    [InlineData("input.nothing", "null")]
    [InlineData("undefined", "null")]
    [InlineData("input.missing", "null")]
    [InlineData("input.flag", "true")]
    [InlineData("input.tags", "[\"a\",\"b\"]")]
    [InlineData("input.nested.deep", "{\"value\":42}")]
    [InlineData("({ a: 1, b: [true, null, 'x'], c: undefined, f: function () {} })", "{\"a\":1,\"b\":[true,null,\"x\"]}")]
    [InlineData("new Date(Date.UTC(2026, 0, 2, 3, 4, 5))", "\"2026-01-02T03:04:05.000Z\"")]
    [InlineData("1 / 0", "null")]
    [InlineData("input.unicode", "\"héllo <b>\"")]
    [InlineData("nodes['my-node'].output.ok", "true")]
    [InlineData("item.id * index", "14")]
    public void Evaluate_ValuesRoundTripThroughJson(string source, string expected)
    {
        Assert.Equal(expected, Eval(source));
    }

    [Fact]
    public void Evaluate_NumbersKeepTheirJsonType()
    {
        var result = JavaScriptExpression.Parse("[input.count, input.count + 0.5, input.big, -0]").Evaluate(TestScope.Create())!.AsArray();

        Assert.Equal(3L, result[0]!.GetValue<long>());
        Assert.Equal(3.5, result[1]!.GetValue<double>());
        Assert.Equal(1e300, result[2]!.GetValue<double>());
        Assert.Equal("0", result[3]!.ToJsonString());
    }

    [Fact]
    public void Evaluate_ScopeObjects_BehaveAsPlainObjects()
    {
        const string script = """
            [Object.getPrototypeOf(input) === Object.prototype, input.hasOwnProperty('name'), 'count' in input,
             Object.keys(input.obj).join(','), JSON.stringify(input.nested), { ...input.obj, z: 3 }.z, input.obj instanceof Object]
            """;

        Assert.Equal("[true,true,true,\"x,y\",\"{\\\"deep\\\":{\\\"value\\\":42}}\",3,true]", Eval(script));
    }

    [Fact]
    public void Evaluate_ScriptWithStatements_ReturnsTheCompletionValue()
    {
        const string script = """
            let total = 0;
            for (const n of vars.list) { total += n; }
            if (total > 5) { 'big:' + total } else { 'small' }
            """;

        Assert.Equal("\"big:6\"", Eval(script));
    }

    [Theory]
    [InlineData("return input.count * 2;", "6")]
    [InlineData("if (input.flag) { return 'yes'; }\nreturn 'no';", "\"yes\"")]
    [InlineData("return;", "null")]
    public void Evaluate_TopLevelReturn_AsElsaWritesIt_GivesTheReturnedValue(string source, string expected)
    {
        Assert.Equal(expected, Eval(source));
    }

    [Theory]
    [InlineData("input.count > 2 && input.name == 'Ada'", true)]
    [InlineData("input.zero", false)]
    [InlineData("input.empty", false)]
    [InlineData("input.nothing", false)]
    [InlineData("input.missing", false)]
    [InlineData("NaN", false)]
    [InlineData("[]", true)]
    [InlineData("'0'", true)]
    [InlineData("({})", true)]
    public void EvaluateCondition_UsesJavaScriptTruthiness(string source, bool expected)
    {
        Assert.Equal(expected, JavaScriptExpression.Parse(source).EvaluateCondition(TestScope.Create()));
    }

    [Fact]
    public void Evaluate_DoesNotChangeTheScope()
    {
        var scope = TestScope.Create();
        var before = scope.ToJsonString();

        Eval("input.name = 'changed'; input.tags.push('c'); vars.greeting = 'x'; nodes.fetch = null; 1", scope);

        Assert.Equal(before, scope.ToJsonString());
    }

    [Fact]
    public void Parse_CollectsLiterallyNamedNodesAndRoots()
    {
        var script = JavaScriptExpression.Parse("nodes.fetch.output.status + nodes['my-node'].output + getOutputFrom('third', 'x') + getVariable('a') + nodes[vars.key]");

        Assert.Equal(["fetch", "my-node", "third"], script.ReferencedNodeIds.Order(StringComparer.Ordinal));
        Assert.Equal(["nodes", "vars"], script.ReferencedRoots.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parse_SyntaxError_NamesTheProblemAndItsPosition()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => JavaScriptExpression.Parse("input.a +* 2"));

        Assert.Equal(10, error.Column);
        Assert.Equal("JavaScript syntax error: Unexpected token '*' at column 10 in 'input.a +* 2'.", error.Message);
    }

    [Fact]
    public void Parse_SyntaxErrorOnALaterLine_GivesLineAndColumn()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => JavaScriptExpression.Parse("let a = 1;\nlet b = ;"));

        Assert.Contains("(line 2, column 9)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ThrownError_BecomesAnEvaluationErrorWithTheMessage()
    {
        var error = Assert.Throws<TemplateEvaluationException>(() => Eval("if (input.count > 2) { throw new Error('too many: ' + input.count) }"));

        Assert.Equal("Error: too many: 3 (line 1, column 30)", error.Reason);
        Assert.StartsWith("Cannot evaluate 'if (input.count > 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_TypeError_NamesIt()
    {
        var error = Assert.Throws<TemplateEvaluationException>(() => Eval("input.nothing.x"));

        Assert.StartsWith("TypeError: ", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TemplatedJson_JsObjectAtAnyDepth_IsReplacedByItsValue()
    {
        var tree = JsonNode.Parse("""
            { "a": { "js": "input.count * 2" }, "b": [1, { "js": "input.tags.join('+')" }], "c": "{{ input.name }}",
              "d": { "js": "x", "other": 1 }, "e": { "nested": { "js": "({ ok: true })" } } }
            """);

        var rendered = TemplatedJson.Compile(tree).Render(TestScope.Create());

        Assert.Equal("""{"a":6,"b":[1,"a+b"],"c":"Ada","d":{"js":"x","other":1},"e":{"nested":{"ok":true}}}""", rendered!.ToJsonString(Relaxed));
    }

    [Fact]
    public void TemplatedJson_JsReferences_AreCollected()
    {
        var compiled = TemplatedJson.Compile(JsonNode.Parse("""{ "a": { "js": "nodes.fetch.output.status" }, "b": { "js": "secrets.TOKEN" } }"""));

        Assert.Contains("fetch", compiled.ReferencedNodeIds);
        Assert.Contains("secrets", compiled.ReferencedRoots);
        Assert.Equal(["TOKEN"], compiled.ReferencedSecrets);
        Assert.False(compiled.IsConstant);
    }

    [Fact]
    public void TemplatedJson_JsRuntimeError_NamesThePath()
    {
        var compiled = TemplatedJson.Compile(JsonNode.Parse("""{ "body": { "total": { "js": "input.nothing.x" } } }"""), "inputs");

        var error = Assert.Throws<TemplateEvaluationException>(() => compiled.Render(TestScope.Create()));

        Assert.StartsWith("inputs.body.total: Cannot evaluate 'input.nothing.x': TypeError: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TemplatedJson_FindErrors_ListsEveryBadScriptWithItsPath()
    {
        var errors = TemplatedJson.FindErrors(JsonNode.Parse("""{ "a": { "js": "1 +" }, "b": [{ "js": "ok" }, { "js": "(" }] }"""), "inputs");

        Assert.Equal(["inputs.a", "inputs.b[1]"], errors.Select(e => e.Path));
        Assert.All(errors, e => Assert.StartsWith("JavaScript syntax error: ", e.Error.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void TemplateExpression_FromJson_TakesBothForms()
    {
        var template = TemplateExpression.FromJson(JsonValue.Create("output.ok")!);
        var script = TemplateExpression.FromJson(new JsonObject { ["js"] = "output.ok && getVariable('i') === 1" });

        Assert.False(template.IsJavaScript);
        Assert.True(script.IsJavaScript);
        Assert.True(template.EvaluateCondition(TestScope.Create()));
        Assert.True(script.EvaluateCondition(TestScope.Create()));
        Assert.Contains("vars", script.ReferencedRoots);
    }

    [Fact]
    public void TemplateExpression_FromJson_OtherValue_IsASyntaxError()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => TemplateExpression.FromJson(new JsonObject { ["python"] = "x" }));

        Assert.StartsWith("Expected an expression string or { \"js\": \"...\" }", error.Message, StringComparison.Ordinal);
    }
}
