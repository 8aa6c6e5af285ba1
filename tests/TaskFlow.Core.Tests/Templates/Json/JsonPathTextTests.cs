using TaskFlow.Core.Templates.Json;

namespace TaskFlow.Core.Tests.Templates.Json;

public class JsonPathTextTests
{
    [Theory]
    [InlineData("", "url", "url")]
    [InlineData("inputs", "url", "inputs.url")]
    [InlineData("nodes", "my-node_1", "nodes.my-node_1")]
    [InlineData("headers", "x y", "headers[\"x y\"]")]
    [InlineData("", "a.b", "$[\"a.b\"]")]
    [InlineData("a", "", "a[\"\"]")]
    public void Property_FormatsPlainOrQuotedNames(string parent, string name, string expected)
    {
        Assert.Equal(expected, JsonPathText.Property(parent, name));
    }

    [Theory]
    [InlineData("", 0, "$[0]")]
    [InlineData("items", 12, "items[12]")]
    public void Index_AppendsBracketedIndex(string parent, int index, string expected)
    {
        Assert.Equal(expected, JsonPathText.Index(parent, index));
    }
}
