using System.Text.Json.Nodes;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Tests.Templates;

public class TemplateTests
{
    private static string Render(string template) => Template.Parse(template).Render(TestScope.Create())?.ToJsonString() ?? "null";

    [Fact]
    public void Parse_PlainText_IsLiteralAndRendersText()
    {
        var template = Template.Parse("just text } with { braces");

        Assert.True(template.IsLiteral);
        Assert.Equal("just text } with { braces", template.Render(TestScope.Create())!.GetValue<string>());
        Assert.Empty(template.ReferencedRoots);
        Assert.Empty(template.ReferencedNodeIds);
    }

    [Fact]
    public void Parse_EmptyText_IsLiteralAndRendersEmptyString()
    {
        var template = Template.Parse("");

        Assert.True(template.IsLiteral);
        Assert.Equal("", template.Render([])!.GetValue<string>());
    }

    [Fact]
    public void Parse_TextWithPlaceholder_IsNotLiteralAndKeepsText()
    {
        var template = Template.Parse("Hi {{ input.name }}");

        Assert.False(template.IsLiteral);
        Assert.Equal("Hi {{ input.name }}", template.Text);
        Assert.Equal("Hi {{ input.name }}", template.ToString());
    }

    [Fact]
    public void Render_LiteralTemplate_ReturnsFreshNodeEachTime()
    {
        var template = Template.Parse("constant");
        var first = template.Render([]);
        var second = template.Render([]);

        Assert.NotSame(first, second);
        var holder = new JsonObject { ["a"] = first, ["b"] = second };
        Assert.Equal("""{"a":"constant","b":"constant"}""", holder.ToJsonString());
    }

    [Theory]
    [InlineData("{{ input.count }}", "3")]
    [InlineData("{{ input.price }}", "2.5")]
    [InlineData("{{ input.flag }}", "true")]
    [InlineData("{{ input.nothing }}", "null")]
    [InlineData("{{ input.missing }}", "null")]
    [InlineData("{{ input.tags }}", """["a","b"]""")]
    [InlineData("{{ input.obj }}", """{"x":1,"y":2}""")]
    [InlineData("{{ input.name }}", "\"Ada\"")]
    [InlineData("  {{ input.count }}\n ", "3")]
    [InlineData("{{ 1 + 2 }}", "3")]
    [InlineData("{{ [1, 'x', true, null] }}", """[1,"x",true,null]""")]
    [InlineData("{{ input.big }}", "1e300")]
    public void Render_SinglePlaceholder_KeepsJsonType(string template, string expected)
    {
        Assert.Equal(expected, Render(template));
    }

    [Theory]
    [InlineData("Hello {{ input.name }}!", "Hello Ada!")]
    [InlineData("n={{ input.count }}", "n=3")]
    [InlineData("p={{ input.price }}", "p=2.5")]
    [InlineData("{{ input.flag }}/{{ false }}", "true/false")]
    [InlineData("[{{ input.nothing }}][{{ input.missing }}]", "[][]")]
    [InlineData("tags: {{ input.tags }}", """tags: ["a","b"]""")]
    [InlineData("obj: {{ input.obj }}", """obj: {"x":1,"y":2}""")]
    [InlineData("{{ input.count }}{{ input.count }}", "33")]
    [InlineData("{{ 0.1 + 0.2 }} {{ 2.50 * 2 }}", "0.3 5")]
    [InlineData("x {{ input.unicode }}", "x héllo <b>")]
    [InlineData("{{ '{{' }} literal braces {{ '}}' }}", "{{ literal braces }}")]
    [InlineData("a }} b {{ 1 }}", "a }} b 1")]
    public void Render_InterpolatedText_ConvertsEachPlaceholderToText(string template, string expected)
    {
        Assert.Equal(expected, Template.Parse(template).Render(TestScope.Create())!.GetValue<string>());
    }

    [Fact]
    public void Render_ComputedNumber_SupportsAnyNumericGetValue()
    {
        var result = Template.Parse("{{ index + 1 }}").Render(TestScope.Create())!;

        Assert.Equal(3, result.GetValue<int>());
        Assert.Equal(3L, result.GetValue<long>());
        Assert.Equal(3.0, result.GetValue<double>());
    }

    [Fact]
    public void Render_ScopeValue_ReturnsCloneThatCanBeAttachedElsewhere()
    {
        var scope = TestScope.Create();
        var template = Template.Parse("{{ input.obj }}");

        var first = template.Render(scope)!;
        var second = template.Render(scope)!;
        first["x"] = 99;
        var holder = new JsonObject { ["a"] = first, ["b"] = second };

        Assert.Equal("""{"a":{"x":99,"y":2},"b":{"x":1,"y":2}}""", holder.ToJsonString());
        Assert.Equal(1, scope["input"]!["obj"]!["x"]!.GetValue<int>());
    }

    [Fact]
    public void Render_AnyTemplate_DoesNotMutateScope()
    {
        var scope = TestScope.Create();
        var before = scope.ToJsonString();

        Template.Parse("{{ [input.obj, input.tags, keys(input.obj), range(1, 3)] }} {{ json(nodes) }}").Render(scope);
        Template.Parse("{{ [input.obj, input.tags] }}").Render(scope);

        Assert.Equal(before, scope.ToJsonString());
    }

    [Fact]
    public void Render_ArrayLiteralWithScopeValues_ReturnsIndependentArray()
    {
        var scope = TestScope.Create();

        var result = Template.Parse("{{ [input.obj, item] }}").Render(scope)!.AsArray();
        result[0]!["x"] = 5;

        Assert.Equal("""[{"x":5,"y":2},{"id":7}]""", result.ToJsonString());
        Assert.Equal(1, scope["input"]!["obj"]!["x"]!.GetValue<int>());
    }

    [Fact]
    public void Render_SameTemplateFromManyThreads_GivesSameResults()
    {
        var template = Template.Parse("{{ item.id }}-{{ upper(input.name) }}-{{ join(range(1, index), ',') }}");
        var results = new string[64];

        Parallel.For(0, results.Length, i =>
        {
            var scope = TestScope.Parse($$"""{ "item": { "id": {{i}} }, "input": { "name": "x" }, "index": 3 }""");
            results[i] = template.Render(scope)!.GetValue<string>();
        });

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal($"{i}-X-1,2,3", results[i]);
        }
    }

    [Fact]
    public void Render_ScopeRootsAndIndexing_ResolveAgainstScope()
    {
        Assert.Equal("\"ok\"", Render("{{ nodes.fetch.output.body }}"));
        Assert.Equal("true", Render("{{ nodes[\"my-node\"].output.ok }}"));
        Assert.Equal("7", Render("{{ item.id }}"));
        Assert.Equal("2", Render("{{ index }}"));
        Assert.Equal("true", Render("{{ output.ok }}"));
        Assert.Equal("\"hello\"", Render("{{ vars.greeting }}"));
        Assert.Equal("2", Render("{{ nodes.fetch.output.items[vars.i].id }}"));
    }

    [Fact]
    public void Render_EvaluationError_ThrowsWithExpressionInMessage()
    {
        var template = Template.Parse("Total: {{ input.name * 2 }}");

        var error = Assert.Throws<TemplateEvaluationException>(() => template.Render(TestScope.Create()));

        Assert.Equal("input.name * 2", error.Expression);
        Assert.Equal("Cannot evaluate 'input.name * 2': operator '*' needs two numbers, got string and number.", error.Message);
    }

    [Fact]
    public void Render_NullScope_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Template.Parse("{{ 1 }}").Render(null!));
    }

    [Fact]
    public void ReferencedNodeIds_LiteralNodeKeys_AreCollected()
    {
        var template = Template.Parse(
            "{{ nodes.a.output }} {{ nodes[\"x-y\"].output.z }} {{ nodes['b'] }} {{ default(nodes.c.output, 1) }} {{ nodes[vars.dynamic] }} {{ input.nodes.d }}");

        Assert.Equal(["a", "b", "c", "x-y"], template.ReferencedNodeIds.Order());
    }

    [Fact]
    public void ReferencedRoots_AllPlaceholders_ListsFirstIdentifiers()
    {
        var template = Template.Parse("{{ input.a }} {{ vars.b ?? item }} {{ length(nodes.x.output) > index ? output.ok : true }}");

        Assert.Equal(["index", "input", "item", "nodes", "output", "vars"], template.ReferencedRoots.Order());
    }

    [Fact]
    public void ReferencedRoots_KeywordsAndFunctionNames_AreNotRoots()
    {
        var template = Template.Parse("{{ upper('a') == null || true || length(input) > 0 }}");

        Assert.Equal(["input"], template.ReferencedRoots);
    }

    [Fact]
    public void Parse_TooLongTemplate_ThrowsWithLimit()
    {
        var text = "{{ 1 }}" + new string('x', TemplateLimits.MaxTemplateLength);

        var error = TestScope.SyntaxError(text);

        Assert.Equal(TemplateLimits.MaxTemplateLength + 1, error.Column);
        Assert.Contains("the limit is 65536", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongTemplateWithoutPlaceholders_IsAcceptedAsLiteral()
    {
        var text = new string('x', TemplateLimits.MaxTemplateLength * 2);

        var template = Template.Parse(text);

        Assert.True(template.IsLiteral);
        Assert.Equal(text.Length, template.Render([])!.GetValue<string>().Length);
    }

    [Fact]
    public void Parse_TemplateAtLengthLimit_IsAccepted()
    {
        var text = "{{ 1 }}" + new string('x', TemplateLimits.MaxTemplateLength - 7);

        Assert.Equal("1", Template.Parse(text).Render([])!.GetValue<string>()[..1]);
    }

    [Fact]
    public void TryParse_ValidText_ReturnsTemplate()
    {
        var ok = Template.TryParse("{{ 1 }}", out var template, out var error);

        Assert.True(ok);
        Assert.Null(error);
        Assert.Equal("1", template!.Render([])!.ToJsonString());
    }

    [Fact]
    public void TryParse_InvalidText_ReturnsErrorWithColumn()
    {
        var ok = Template.TryParse("{{ input.a) }}", out var template, out var error);

        Assert.False(ok);
        Assert.Null(template);
        Assert.Equal(11, error!.Column);
        Assert.Equal("Unexpected ')' at column 11 in '{{ input.a) }}'.", error.Message);
    }

    [Fact]
    public void Render_HugeInterpolation_FailsAtStringLimit()
    {
        // 8 placeholders of 1 MiB each exceed the 4 Mi character limit for one string.
        var scope = new JsonObject { ["s"] = new string('a', 1024 * 1024) };
        var template = Template.Parse(string.Concat(Enumerable.Repeat("{{ s }}", 8)));

        var error = Assert.Throws<TemplateEvaluationException>(() => template.Render(scope));

        Assert.Contains("the limit is 4194304", error.Message, StringComparison.Ordinal);
    }
}
