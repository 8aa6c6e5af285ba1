using System.Text.Json.Nodes;
using static TaskFlow.Core.Tests.Templates.TestScope;

namespace TaskFlow.Core.Tests.Templates.Ast;

public class PathNodeTests
{
    [Theory]
    [InlineData("input.nested.deep.value", "42")]
    [InlineData("input['nested'][\"deep\"].value", "42")]
    [InlineData("input[vars.key]", "\"Ada\"")]
    [InlineData("input.tags[0]", "\"a\"")]
    [InlineData("input.tags[1]", "\"b\"")]
    [InlineData("input.tags[index - 1]", "\"b\"")]
    [InlineData("input.tags[1.0]", "\"b\"")]
    [InlineData("nodes.fetch.output.items[1].id", "2")]
    [InlineData("['x', 'y'][1]", "\"y\"")]
    [InlineData("range(10, 20)[3]", "13")]
    [InlineData("(input.obj).y", "2")]
    [InlineData("input.null", "null")]
    public void Evaluate_MembersAndIndices_ReadScope(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("input.missing")]
    [InlineData("input.missing.deeper.still")]
    [InlineData("input.nothing.x")]
    [InlineData("input.tags[2]")]
    [InlineData("input.tags[-1]")]
    [InlineData("input.tags[100000000000]")]
    [InlineData("input['nope']")]
    [InlineData("input.tags[input.missing]")]
    [InlineData("missingRoot.a")]
    [InlineData("nodes.unknown.output.x")]
    public void Evaluate_MissingMemberOrIndex_IsNull(string expression)
    {
        Assert.Equal("null", Eval(expression));
    }

    [Fact]
    public void Evaluate_KeywordLikeMemberName_Resolves()
    {
        var scope = Parse("""{ "a": { "true": 1, "null": 2 } }""");

        Assert.Equal("3", Eval("a.true + a.null", scope));
    }

    [Theory]
    [InlineData("input.name.first", "cannot read member 'first' of a string, only objects have members")]
    [InlineData("input.count.x", "cannot read member 'x' of a number, only objects have members")]
    [InlineData("input.flag.x", "cannot read member 'x' of a boolean, only objects have members")]
    [InlineData("input.tags.first", "cannot read member 'first' of an array, only objects have members")]
    [InlineData("input.name.length", "cannot read member 'length' of a string, only objects have members; use length(x)")]
    [InlineData("input.tags['a']", "an array index must be a number, got string")]
    [InlineData("input.tags[0.5]", "an array index must be a whole number, got 0.5")]
    [InlineData("input.obj[0]", "an object index must be a string, got number")]
    [InlineData("input.name[0]", "cannot index into a string, only arrays and objects")]
    [InlineData("input.count[0]", "cannot index into a number, only arrays and objects")]
    public void Evaluate_AccessOnWrongType_Throws(string expression, string reason)
    {
        Assert.Equal(reason, EvalError(expression).Reason);
    }

    [Fact]
    public void Evaluate_PrimitiveBackedScopeValues_AreRead()
    {
        var scope = new JsonObject
        {
            ["input"] = new JsonObject
            {
                ["i"] = 3,
                ["l"] = 4L,
                ["d"] = 0.1,
                ["m"] = 1.5m,
                ["s"] = "x",
                ["b"] = true,
                ["g"] = JsonValue.Create(Guid.Empty),
            },
        };

        Assert.Equal("8.6", Eval("input.i + input.l + input.d + input.m", scope));
        Assert.Equal("\"x00000000-0000-0000-0000-000000000000\"", Eval("input.s + input.g", scope));
        Assert.Equal("true", Eval("input.b && input.i == 3", scope));
    }
}
