using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// A forwarding proxy on a free loopback port in front of a real Streamable HTTP server. It is a
/// fake only for the fault: a real server cannot be made to fail one chosen request on demand, so
/// the proxy answers that one POST itself; every other request goes to the server and its answer
/// comes back as it came (Server-Sent Events included). It also records what it saw.
/// </summary>
internal sealed class FaultingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client = HttpForwarding.CreateClient();
    private readonly Uri _upstream;
    private readonly ConcurrentQueue<string> _callSessions = new();
    private Fault? _fault;
    private int _initializations;
    private int _callsForwarded;

    private FaultingProxy(WebApplication app, Uri upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    /// <summary>The proxied MCP endpoint: the server's path on the proxy's address.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary><c>initialize</c> requests seen: one per MCP session opened through the proxy.</summary>
    public int Initializations => Volatile.Read(ref _initializations);

    /// <summary><c>tools/call</c> requests passed on to the server.</summary>
    public int CallsForwarded => Volatile.Read(ref _callsForwarded);

    /// <summary>The <c>Mcp-Session-Id</c> of every <c>tools/call</c> request, failed ones included.</summary>
    public IReadOnlyList<string> CallSessions => [.. _callSessions];

    public static async Task<FaultingProxy> StartAsync(Uri upstream)
    {
        FaultingProxy? proxy = null;
        var (app, address) = await HttpForwarding.StartAsync(context => proxy!.HandleAsync(context));
        proxy = new FaultingProxy(app, upstream) { Endpoint = new Uri(address, upstream.PathAndQuery) };
        return proxy;
    }

    /// <summary>Answers the next POST whose body contains <paramref name="marker"/> with <paramref name="status"/> instead of passing it on.</summary>
    public void FailNext(string marker, HttpStatusCode status) => Volatile.Write(ref _fault, new Fault(marker, status));

    private async Task HandleAsync(HttpContext context)
    {
        byte[]? body = null;
        if (HttpMethods.IsPost(context.Request.Method))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
            var text = Encoding.UTF8.GetString(body);
            var method = MethodOf(text);
            if (method == "initialize")
            {
                Interlocked.Increment(ref _initializations);
            }

            if (method == "tools/call")
            {
                _callSessions.Enqueue(context.Request.Headers["Mcp-Session-Id"].ToString());
            }

            if (Volatile.Read(ref _fault) is { } fault && text.Contains(fault.Marker, StringComparison.Ordinal) && Interlocked.CompareExchange(ref _fault, null, fault) == fault)
            {
                context.Response.StatusCode = (int)fault.Status;
                return;
            }

            if (method == "tools/call")
            {
                Interlocked.Increment(ref _callsForwarded);
            }
        }

        await HttpForwarding.ForwardAsync(context, _client, _upstream, body is null ? null : new ByteArrayContent(body));
    }

    private static string? MethodOf(string json)
    {
        try
        {
            return JsonNode.Parse(json) is JsonObject message && message["method"] is JsonValue method && method.TryGetValue(out string? name) ? name : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Requests still open (a client's standing GET stream) are cut after a short wait.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
        _client.Dispose();
    }

    private sealed record Fault(string Marker, HttpStatusCode Status);
}
