using System.Text.Json.Nodes;
using TaskFlow.Core.Scripting;
using TaskFlow.Core.Templates;
using TaskFlow.Core.Tests.Templates;

namespace TaskFlow.Core.Tests.Scripting;

public class LiquidTemplateTests
{
    private static JsonObject Scope()
    {
        var scope = TestScope.Create();
        scope["instance"] = new JsonObject { ["id"] = "inst-1", ["depth"] = 0, ["correlationId"] = "order-7" };
        return scope;
    }

    [Theory]
    [InlineData("Hello {{ input.name }}, you have {{ input.count }} items", "Hello Ada, you have 3 items")]
    [InlineData("{{ Variables.greeting | upcase }} {{ Input.name }}", "HELLO Ada")]
    [InlineData("{% for t in input.tags %}[{{ t }}]{% endfor %}", "[a][b]")]
    [InlineData("{% if input.price > 2 %}dear{% else %}cheap{% endif %}", "dear")]
    [InlineData("{{ nodes.fetch.output.status }} {{ nodes['my-node'].output.ok }}", "200 true")]
    [InlineData("{{ WorkflowInstanceId }}/{{ CorrelationId }}", "inst-1/order-7")]
    [InlineData("{{ input.missing }}", "")]
    [InlineData("plain text", "plain text")]
    public void Render_ReadsTheScope(string source, string expected)
    {
        Assert.Equal(expected, LiquidTemplate.Parse(source).Render(Scope()));
    }

    [Fact]
    public void Parse_CollectsNodeIdsAndRoots()
    {
        var template = LiquidTemplate.Parse("{{ nodes.fetch.output }} {{ nodes[\"my-node\"].output }} {{ Variables.x }} {{ secrets.TOKEN }}");

        Assert.Equal(["fetch", "my-node"], template.ReferencedNodeIds.Order(StringComparer.Ordinal));
        Assert.Equal(["TOKEN"], template.ReferencedSecrets);
        Assert.Contains("nodes", template.ReferencedRoots);
        Assert.Contains("vars", template.ReferencedRoots);
    }

    [Fact]
    public void Parse_SyntaxError_NamesThePosition()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => LiquidTemplate.Parse("Hello {% if input.a %}no end"));

        Assert.StartsWith("Liquid syntax error: ", error.Reason, StringComparison.Ordinal);
        Assert.True(error.Column > 1, error.Message);
    }

    [Fact]
    public void Render_EndlessWork_StopsAtTheStepLimit()
    {
        var template = LiquidTemplate.Parse("{% for i in (1..1000) %}{% for j in (1..1000) %}x{% endfor %}{% endfor %}");

        var error = Assert.Throws<TemplateEvaluationException>(() => template.Render(Scope()));

        Assert.StartsWith("Liquid: ", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TemplatedJson_LiquidObject_IsReplacedByItsText()
    {
        var rendered = TemplatedJson.Compile(JsonNode.Parse("""{ "message": { "liquid": "Order for {{ Input.name }}" }, "n": 1 }""")).Render(Scope());

        Assert.Equal("""{"message":"Order for Ada","n":1}""", rendered!.ToJsonString());
    }

    [Fact]
    public void TemplatedJson_FindErrors_ReportsBadLiquid()
    {
        var errors = TemplatedJson.FindErrors(JsonNode.Parse("""{ "message": { "liquid": "{% if %}" } }"""), "inputs");

        Assert.Equal("inputs.message", Assert.Single(errors).Path);
    }
}
