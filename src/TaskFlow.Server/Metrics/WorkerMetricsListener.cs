using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Prometheus;
using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Metrics;

/// <summary>
/// Serves <c>GET /metrics</c> from a worker process (which has no web server of its own) on the
/// addresses of <see cref="WorkerMetricsOptions.Urls"/>: the same metrics as the server's
/// <c>/metrics</c> (<see cref="MetricsExport"/>), so a scaled deployment's work is visible. When
/// API keys are configured (<c>TaskFlow:Server:ApiKeys</c>, <c>Keys</c> or <c>KeysFile</c>, as for
/// the server), a scrape needs one, of any role, as <c>Authorization: Bearer KEY</c> or
/// <c>X-Api-Key: KEY</c>; any other path is 404.
/// </summary>
internal sealed class WorkerMetricsListener(
    IServiceProvider services,
    IOptions<WorkerMetricsOptions> options,
    IConfiguration configuration) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;
    private MetricsExport? _export;

    /// <summary>The addresses /metrics is served on once started (the bound ports, for a port 0); none when no address is configured.</summary>
    public IReadOnlyList<string> Urls => _app is { } app ? [.. app.Urls] : [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Urls is not { Length: > 0 } urls)
        {
            return;
        }

        var keys = (configuration.GetSection(Hosting.TaskFlowServerOptions.SectionName).Get<Hosting.TaskFlowServerOptions>() ?? new()).CreateKeyRing();
        _export = MetricsExport.Start(services);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(e => e.Protocols = HttpProtocols.Http1AndHttp2));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (keys is not null && !Authorized(context.Request, keys))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync("The metrics need an API key: send it as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'.");
                return;
            }

            await next(context);
        });
        app.MapMetrics("/metrics", _export.Registry);
        await app.StartAsync(cancellationToken);
        _app = app;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await app.DisposeAsync();
        }

        _export?.Dispose();
    }

    private static bool Authorized(HttpRequest request, ApiKeyRing keys)
    {
        var header = request.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : request.Headers["X-Api-Key"].ToString();
        return key.Length > 0 && keys.Accepts(key);
    }
}
