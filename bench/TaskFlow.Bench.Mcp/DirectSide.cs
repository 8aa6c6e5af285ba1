using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Bench.Mcp;

/// <summary>
/// Calls with the SDK directly: <see cref="McpClient.CallToolAsync(string, IReadOnlyDictionary{string, object?}?, IProgress{ModelContextProtocol.ProgressNotificationValue}?, ModelContextProtocol.RequestOptions?, CancellationToken)"/>
/// on clients created here. With several clients, worker <c>w</c> always uses client
/// <c>w mod n</c>, which spreads the workers evenly, as the router's least-loaded choice does
/// in steady state.
/// </summary>
internal sealed class DirectSide(Func<IClientTransport> transport) : EchoSide
{
    private static readonly McpClientOptions ClientOptions = new()
    {
        ClientInfo = new Implementation { Name = "taskflow-bench-direct", Version = "1.0" },
        InitializationTimeout = TimeSpan.FromSeconds(30),
    };

    private readonly IReadOnlyDictionary<string, object?> _arguments = new Dictionary<string, object?> { ["message"] = Message };
    private McpClient[] _clients = [];

    public override string Name => "direct";

    public override int Connections => _clients.Length;

    public override string? ProtocolVersion => _clients.FirstOrDefault()?.NegotiatedProtocolVersion;

    // Awaited here rather than handed on, so both sides put one async layer of their own around the call.
    public override async Task<CallToolResult> CallAsync(int worker, CancellationToken cancellationToken) =>
        await _clients[worker % _clients.Length].CallToolAsync("echo", _arguments, cancellationToken: cancellationToken);

    /// <summary>Only between phases: the client array is not guarded against concurrent calls.</summary>
    public override async Task GrowAsync(int connections, CancellationToken cancellationToken)
    {
        var added = await Task.WhenAll(Enumerable.Range(0, Math.Max(0, connections - _clients.Length)).Select(_ => McpClient.CreateAsync(transport(), ClientOptions, cancellationToken: cancellationToken)));
        _clients = [.. _clients, .. added];
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }
}
