using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Tests.Decomposition;

public class TemplateTextTests
{
    private static string Rendered(string text) => TemplatedJson.Compile(JsonValue.Create(TemplateText.Literal(text))).Render(new JsonObject())!.GetValue<string>();

    [Theory]
    [InlineData("Plain text", "Plain text")]
    [InlineData("Use {{ input.x }} here", "Use {{ \"{{\" }} input.x }} here")]
    [InlineData("{{{{", "{{ \"{{\" }}{{ \"{{\" }}")]
    // A lone "{{" with blanks around it becomes one string literal, or rendering would drop the blanks.
    [InlineData("\n{{ ", "{{ \"\\u000a{{ \" }}")]
    public void Literal_TextWithPlaceholders_IsEscapedAndRendersBack(string text, string expected)
    {
        Assert.Equal(expected, TemplateText.Literal(text));
        Assert.Equal(text, Rendered(text));
    }

    [Theory]
    [InlineData("a", "{{ nodes.a.output }}")]
    [InlineData("step_2", "{{ nodes.step_2.output }}")]
    [InlineData("9", "{{ nodes[\"9\"].output }}")]
    [InlineData("g1.aggregate", "{{ nodes[\"g1.aggregate\"].output }}")]
    [InlineData("my-node", "{{ nodes[\"my-node\"].output }}")]
    public void NodeMember_IdentifierOrNot_ReadsTheNodeTheTemplateEngineSees(string id, string expected)
    {
        var template = TemplateText.NodeMember(id, "output");

        Assert.Equal(expected, template);
        Assert.Equal([id], Template.Parse(template).ReferencedNodeIds);
    }

    [Theory]
    [InlineData("# Release 2.0\nmore", "Release 2.0")]
    [InlineData("  \n  first line  \nsecond", "first line")]
    [InlineData("#", null)]
    [InlineData(" ", null)]
    public void Label_FirstLineWithoutHeadingMarker(string text, string? expected)
    {
        Assert.Equal(expected, TemplateText.Label(text));
    }

    [Fact]
    public void Label_LongLine_IsCutAt80Characters()
    {
        var label = TemplateText.Label(new string('x', 200))!;

        Assert.Equal(80, label.Length);
        Assert.EndsWith("…", label);
    }
}
