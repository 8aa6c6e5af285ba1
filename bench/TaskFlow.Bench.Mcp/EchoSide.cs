using ModelContextProtocol.Protocol;

namespace TaskFlow.Bench.Mcp;

/// <summary>One way of calling server-everything's <c>echo</c>: through the router, through the gateway, or directly with the SDK.</summary>
internal abstract class EchoSide : IAsyncDisposable
{
    public const string Message = "hello";

    public const string Expected = "Echo: " + Message;

    /// <summary>"router", "gateway", "floor" or "direct".</summary>
    public abstract string Name { get; }

    /// <summary>Connections (for stdio: server processes) open now.</summary>
    public abstract int Connections { get; }

    /// <summary>The protocol version the (first) connection negotiated.</summary>
    public abstract string? ProtocolVersion { get; }

    /// <summary>One echo call by worker <paramref name="worker"/> (0 to the concurrency minus 1).</summary>
    public abstract Task<CallToolResult> CallAsync(int worker, CancellationToken cancellationToken);

    /// <summary>Opens connections up to <paramref name="connections"/> when the side manages its own (the direct side).</summary>
    public virtual Task GrowAsync(int connections, CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract ValueTask DisposeAsync();

    public static bool IsEcho(CallToolResult result) =>
        result.IsError != true && result.Content is [TextContentBlock { Text: Expected }];
}
