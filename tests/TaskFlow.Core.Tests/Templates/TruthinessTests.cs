using System.Text.Json.Nodes;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Tests.Templates;

public class TruthinessTests
{
    [Theory]
    [InlineData("null", false)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("0.0", false)]
    [InlineData("\"\"", false)]
    [InlineData("[]", false)]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("-0.5", true)]
    [InlineData("1e300", true)]
    [InlineData("\"0\"", true)]
    [InlineData("\"false\"", true)]
    [InlineData("[0]", true)]
    [InlineData("{}", true)]
    public void IsTruthy_ParsedJson_FollowsRules(string json, bool expected)
    {
        Assert.Equal(expected, Truthiness.IsTruthy(JsonNode.Parse(json)));
    }

    [Fact]
    public void IsTruthy_PrimitiveBackedValues_FollowRules()
    {
        Assert.False(Truthiness.IsTruthy(JsonValue.Create(0)));
        Assert.False(Truthiness.IsTruthy(JsonValue.Create(0.0)));
        Assert.False(Truthiness.IsTruthy(JsonValue.Create(0L)));
        Assert.True(Truthiness.IsTruthy(JsonValue.Create(2.5)));
        Assert.True(Truthiness.IsTruthy(JsonValue.Create(Guid.Empty)));
        Assert.False(Truthiness.IsTruthy(JsonValue.Create("")));
    }

    [Fact]
    public void IsTruthy_CSharpNull_IsFalse()
    {
        Assert.False(Truthiness.IsTruthy(null));
    }
}
