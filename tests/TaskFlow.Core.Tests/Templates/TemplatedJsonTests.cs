using System.Text.Json.Nodes;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Tests.Templates;

public class TemplatedJsonTests
{
    private const string Inputs = """
        {
          "url": "https://api.example.com/users/{{ item.id }}",
          "count": "{{ input.count }}",
          "retries": 3,
          "enabled": true,
          "nothing": null,
          "headers": { "x-trace": "{{ nodes.fetch.output.status }}", "static": "v1" },
          "list": ["{{ input.tags }}", "plain", 1, { "deep": "{{ nodes['my-node'].output.ok }}" }],
          "constantBlock": { "a": [1, 2, { "b": "no templates here" }] }
        }
        """;

    [Fact]
    public void Render_NestedTree_RendersEveryTemplateAndCopiesTheRest()
    {
        var compiled = TemplatedJson.Compile(JsonNode.Parse(Inputs));

        var result = compiled.Render(TestScope.Create())!;

        Assert.Equal(
            """{"url":"https://api.example.com/users/7","count":3,"retries":3,"enabled":true,"nothing":null,"headers":{"x-trace":200,"static":"v1"},"list":[["a","b"],"plain",1,{"deep":true}],"constantBlock":{"a":[1,2,{"b":"no templates here"}]}}""",
            result.ToJsonString());
        Assert.False(compiled.IsConstant);
    }

    [Fact]
    public void Render_Twice_ReturnsIndependentTrees()
    {
        var compiled = TemplatedJson.Compile(JsonNode.Parse(Inputs));
        var scope = TestScope.Create();

        var first = compiled.Render(scope)!;
        var second = compiled.Render(scope)!;
        first["constantBlock"]!["a"]!.AsArray().Add(99);
        first["list"]![0]!.AsArray().Add("c");

        Assert.Equal("[1,2,{\"b\":\"no templates here\"}]", second["constantBlock"]!["a"]!.ToJsonString());
        Assert.Equal("""["a","b"]""", second["list"]![0]!.ToJsonString());
        Assert.Equal("""["a","b"]""", scope["input"]!["tags"]!.ToJsonString());
    }

    [Fact]
    public void Compile_SourceMutatedLater_DoesNotAffectRender()
    {
        var source = JsonNode.Parse("""{ "a": "{{ 1 }}", "b": { "c": "fixed" } }""")!;
        var compiled = TemplatedJson.Compile(source);

        source["b"]!["c"] = "changed";

        Assert.Equal("""{"a":1,"b":{"c":"fixed"}}""", compiled.Render([])!.ToJsonString());
    }

    [Fact]
    public void Compile_NoTemplates_IsConstantAndRendersClone()
    {
        var source = JsonNode.Parse("""{ "a": [1, "x", { "b": null }], "c": "}} not a template {" }""")!;

        var compiled = TemplatedJson.Compile(source);
        var rendered = compiled.Render([])!;

        Assert.True(compiled.IsConstant);
        Assert.NotSame(source, rendered);
        Assert.Equal(source.ToJsonString(), rendered.ToJsonString());
        Assert.Empty(compiled.ReferencedRoots);
    }

    [Theory]
    [InlineData("null", "null")]
    [InlineData("\"{{ 1 + 1 }}\"", "2")]
    [InlineData("\"plain\"", "\"plain\"")]
    [InlineData("42", "42")]
    public void Render_RootValue_IsHandled(string json, string expected)
    {
        var compiled = TemplatedJson.Compile(JsonNode.Parse(json));

        Assert.Equal(expected, compiled.Render([])?.ToJsonString() ?? "null");
    }

    [Fact]
    public void References_UnionOfAllTemplates()
    {
        var compiled = TemplatedJson.Compile(JsonNode.Parse(Inputs));

        Assert.Equal(["fetch", "my-node"], compiled.ReferencedNodeIds.Order());
        Assert.Equal(["input", "item", "nodes"], compiled.ReferencedRoots.Order());
    }

    [Fact]
    public void Compile_BadString_ThrowsWithJsonPath()
    {
        var source = JsonNode.Parse("""{ "inputs": { "url": "{{ input.a) }}" } }""");

        var error = Assert.Throws<TemplateSyntaxException>(() => TemplatedJson.Compile(source));

        Assert.Equal("inputs.url", error.Path);
        Assert.Equal(11, error.Column);
        Assert.Equal("inputs.url: Unexpected ')' at column 11 in '{{ input.a) }}'.", error.Message);
    }

    [Fact]
    public void Compile_BadStringWithBasePath_PrefixesPath()
    {
        var source = JsonNode.Parse("""{ "list": [1, { "my key": "{{ }}" }] }""");

        var error = Assert.Throws<TemplateSyntaxException>(() => TemplatedJson.Compile(source, "nodes.fetch.inputs"));

        Assert.Equal("nodes.fetch.inputs.list[1][\"my key\"]", error.Path);
        Assert.StartsWith("nodes.fetch.inputs.list[1][\"my key\"]: Empty placeholder at column 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_BadRootString_UsesDollarPath()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => TemplatedJson.Compile(JsonValue.Create("{{ (")));

        Assert.Equal("$", error.Path);
    }

    [Fact]
    public void FindErrors_SeveralBadStrings_ListsEachInDocumentOrder()
    {
        var source = JsonNode.Parse("""
            {
              "url": "{{ input.a) }}",
              "ok": "{{ input.b }}",
              "headers": { "auth": "Bearer {{ vars.token" },
              "items": ["fine", "{{ foo(1) }}"]
            }
            """);

        var errors = TemplatedJson.FindErrors(source);

        Assert.Equal(["url", "headers.auth", "items[1]"], errors.Select(e => e.Path));
        Assert.Equal("Unexpected ')'", errors[0].Error.Reason);
        Assert.Equal(11, errors[0].Error.Column);
        Assert.Equal("Unclosed '{{'; expected '}}'", errors[1].Error.Reason);
        Assert.Equal(8, errors[1].Error.Column);
        Assert.StartsWith("Unknown function 'foo'", errors[2].Error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FindErrors_ValidTree_IsEmpty()
    {
        Assert.Empty(TemplatedJson.FindErrors(JsonNode.Parse(Inputs)));
        Assert.Empty(TemplatedJson.FindErrors(null));
    }

    [Fact]
    public void FindErrors_WithBasePath_PrefixesPaths()
    {
        var errors = TemplatedJson.FindErrors(JsonNode.Parse("""{ "a": "{{" }"""), "inputs");

        Assert.Equal("inputs.a", Assert.Single(errors).Path);
    }

    [Fact]
    public void Render_EvaluationError_MessageStartsWithPath()
    {
        var compiled = TemplatedJson.Compile(JsonNode.Parse("""{ "body": { "total": "{{ input.name * 2 }}" } }"""));

        var error = Assert.Throws<TemplateEvaluationException>(() => compiled.Render(TestScope.Create()));

        Assert.Equal("body.total", error.Path);
        Assert.Equal(
            "body.total: Cannot evaluate 'input.name * 2': operator '*' needs two numbers, got string and number.",
            error.Message);
    }

    [Fact]
    public void Render_DoesNotMutateScope()
    {
        var scope = TestScope.Create();
        var before = scope.ToJsonString();

        TemplatedJson.Compile(JsonNode.Parse(Inputs)).Render(scope);

        Assert.Equal(before, scope.ToJsonString());
    }
}
