using Microsoft.AspNetCore.Builder;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Decomposition;

/// <summary>
/// A forwarding proxy on a free loopback port that adds an API key to every request and passes
/// everything else through as it came (method, path, headers including Host and Origin, body),
/// streaming the answer back (Server-Sent Events included). For clients that cannot send a key.
/// </summary>
internal sealed class KeyAddingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private KeyAddingProxy(WebApplication app, HttpClient upstream, Uri address) => (_app, _upstream, Address) = (app, upstream, address);

    public Uri Address { get; }

    public static async Task<KeyAddingProxy> StartAsync(Uri upstream, string key)
    {
        var client = HttpForwarding.CreateClient();
        var (app, address) = await HttpForwarding.StartAsync(context =>
        {
            var hasBody = context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0;
            return HttpForwarding.ForwardAsync(context, client, upstream, hasBody ? new StreamContent(context.Request.Body) : null, request =>
            {
                // The server checks the Host it is called by (DNS rebinding protection): pass the client's on.
                request.Headers.Host = context.Request.Host.Value;
                request.Headers.Add("X-Api-Key", key);
            });
        });
        return new KeyAddingProxy(app, client, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
