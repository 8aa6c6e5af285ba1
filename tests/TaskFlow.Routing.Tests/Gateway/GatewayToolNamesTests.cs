using System.Text.RegularExpressions;
using TaskFlow.Routing.Gateway;

namespace TaskFlow.Routing.Tests.Gateway;

public sealed partial class GatewayToolNamesTests
{
    private static readonly McpGatewayOptions Defaults = new();

    [Fact]
    public void Assign_PlainTools_JoinsNamespaceAndToolWithTheSeparator()
    {
        var names = GatewayToolNames.Assign([("memory", "read_graph"), ("fs", "read_text_file"), (null, "echo")], Defaults);

        Assert.Equal(["memory__read_graph", "fs__read_text_file", "echo"], names);
    }

    [Fact]
    public void Assign_DotsAndOtherCharacters_BecomeUnderscores_AndEveryNameIsPortable()
    {
        var names = GatewayToolNames.Assign([("claude-flow", "swarm.init"), ("odd", "tool name/with:chars"), ("v2.server", "x")], Defaults);

        Assert.Equal(["claude-flow__swarm_init", "odd__tool_name_with_chars", "v2_server__x"], names);
        Assert.All(names, n => Assert.Matches(Portable(), n));
    }

    [Fact]
    public void Assign_TwoToolsThatCleanToOneName_BothGetAStableHash_AndStayDistinct()
    {
        var tools = new (string?, string)[] { ("srv", "a.b"), ("srv", "a_b"), ("srv", "c") };

        var first = GatewayToolNames.Assign(tools, Defaults);
        var again = GatewayToolNames.Assign([.. tools.Reverse()], Defaults);

        Assert.Equal(3, first.Distinct().Count());
        Assert.Matches("^srv__a_b_[0-9a-f]{8}$", first[0]);
        Assert.Matches("^srv__a_b_[0-9a-f]{8}$", first[1]);
        Assert.Equal("srv__c", first[2]);
        Assert.Equal(first, again.Reverse());
        Assert.All(first, n => Assert.Matches(Portable(), n));
    }

    [Fact]
    public void Assign_NameOverTheLimit_IsCutAndEndsInAHash_WithinTheLimit()
    {
        var longTool = new string('t', 80);
        var names = GatewayToolNames.Assign([("server", longTool), ("server", longTool + "2")], Defaults);

        Assert.All(names, n => Assert.Equal(64, n.Length));
        Assert.All(names, n => Assert.Matches(Portable(), n));
        Assert.NotEqual(names[0], names[1]);
        Assert.StartsWith("server__ttt", names[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Assign_DotSeparator_GivesTheDottedForm()
    {
        var names = GatewayToolNames.Assign([("everything", "echo"), ("cf", "swarm.init")], new McpGatewayOptions { Separator = "." });

        Assert.Equal(["everything.echo", "cf.swarm.init"], names);
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex Portable();
}
