using System.Text.Json;

namespace TaskFlow.Routing.Upstreams;

/// <summary>A failure of a call to an upstream, in a user's words.</summary>
internal static class FailureText
{
    public static string Of(Exception exception) => exception switch
    {
        TimeoutException timeout => timeout.Message,
        McpRoutingException routing => routing.Message,
        UpstreamConnectionLostException lost => lost.Message,
        MessageTooLargeException tooLarge => tooLarge.Message,

        // The server answered, but not with MCP (a broken serializer, debug output on stdout):
        // the serializer's message names .NET types, the path says what was wrong.
        JsonException json => $"answered with a message that is not valid MCP{(json.Path is { Length: > 0 } path ? $" (at {path})" : "")}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
