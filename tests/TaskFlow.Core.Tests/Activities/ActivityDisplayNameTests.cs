using TaskFlow.Core.Activities;

namespace TaskFlow.Core.Tests.Activities;

public sealed class ActivityDisplayNameTests
{
    [Theory]
    [InlineData("http.request", "HTTP request")]
    [InlineData("http.respond", "HTTP respond")]
    [InlineData("mcp.call", "MCP call")]
    [InlineData("setVariable", "Set variable")]
    [InlineData("foreach", "For each")]
    [InlineData("noop", "No-op")]
    [InlineData("exec", "Execute")]
    [InlineData("transform", "Transform")]
    [InlineData("invoice.send-reminder", "Invoice send reminder")]
    public void Of_Type_ReadsAsWords(string type, string expected) => Assert.Equal(expected, ActivityDisplayName.Of(type));

    [Fact]
    public void Descriptor_WithoutAName_TakesTheReadableOne()
    {
        var descriptor = new ActivityDescriptor("mcp.call", "MCP", "Calls a tool.", [], [ActivityDescriptor.DefaultOutcome]);

        Assert.Equal("MCP call", descriptor.DisplayName);
    }
}
