namespace TaskFlow.Routing;

/// <summary>A call could not be routed or failed on every server tried; the message says where and why.</summary>
public sealed class McpRoutingException : Exception
{
    public McpRoutingException(string message)
        : base(message)
    {
    }

    public McpRoutingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
