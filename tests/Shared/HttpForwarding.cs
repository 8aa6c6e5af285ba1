using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Testing;

/// <summary>
/// The pieces of a test's forwarding proxy: a Kestrel host on a free loopback port, and passing a
/// request on as it came (method, path, query, headers, body) with the answer streamed back chunk
/// by chunk, so Server-Sent Events reach the client as they are written.
/// </summary>
internal static class HttpForwarding
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase) { "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Host" };

    /// <summary>A client that passes answers on as they are (no redirects, no cookies, no timeout of its own).</summary>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Starts a host on 127.0.0.1 with a free port that answers every request with <paramref name="handler"/>.</summary>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>
    /// Sends the request to the same path and query under <paramref name="upstream"/>, with
    /// <paramref name="content"/> as its body, and copies the answer back. The Host header is the
    /// upstream's unless <paramref name="adjust"/> sets it.
    /// </summary>
    public static async Task ForwardAsync(HttpContext context, HttpClient client, Uri upstream, HttpContent? content, Action<HttpRequestMessage>? adjust = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(upstream, context.Request.Path + context.Request.QueryString)) { Content = content };
        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        adjust?.Invoke(request);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }
}
