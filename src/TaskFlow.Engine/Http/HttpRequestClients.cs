using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace TaskFlow.Engine.Http;

/// <summary>
/// The named clients <c>http.request</c> uses: the same guarded connection and standard resilience
/// pipeline (retry with exponential backoff and jitter, a circuit breaker per host), one retrying
/// idempotent methods only, the other every method (for nodes that say their call is safe to repeat).
/// They log through <see cref="RedactedHttpLog"/>, with secrets masked in URLs.
/// </summary>
internal static class HttpRequestClients
{
    public const string IdempotentOnly = "taskflow.http.request";
    public const string AnyMethod = "taskflow.http.request.retry-all";

    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton<RedactedHttpLog>();
        foreach (var name in new[] { IdempotentOnly, AnyMethod })
        {
            services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)
                // The factory's own logging writes URLs as they are, secrets included.
                .RemoveAllLoggers()
                .AddLogger<RedactedHttpLog>(wrapHandlersPipeline: true)
                .ConfigurePrimaryHttpMessageHandler(sp => Handler(new AddressGuard(sp.GetRequiredService<IOptions<HttpRequestOptions>>().Value)))
                .AddStandardResilienceHandler()
                .SelectPipelineByAuthority()
                .Configure((resilience, sp) => Configure(resilience, sp.GetRequiredService<IOptions<HttpRequestOptions>>().Value, retryAll: name == AnyMethod));
        }
    }

    private static void Configure(HttpStandardResilienceOptions resilience, HttpRequestOptions options, bool retryAll)
    {
        resilience.Retry.MaxRetryAttempts = options.MaxRetries;
        resilience.Retry.Delay = options.RetryDelay;
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        // A refused address stays refused: retrying it would only delay the answer.
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(
            HttpRequestActivity.Refusal(args.Outcome.Exception) is null && HttpClientResiliencePredicates.IsTransient(args.Outcome));
        if (!retryAll)
        {
            resilience.Retry.DisableForUnsafeHttpMethods();
        }

        // The node's own timeout bounds the whole call; these only keep the pipeline's defaults
        // (10 s per attempt, 30 s in all) from cutting a longer one short.
        resilience.AttemptTimeout.Timeout = TimeSpan.FromMinutes(30);
        resilience.TotalRequestTimeout.Timeout = TimeSpan.FromHours(1);
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromHours(1);
    }

    private static SocketsHttpHandler Handler(AddressGuard guard) => new()
    {
        MaxAutomaticRedirections = 5,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        UseCookies = false,
        // Every connection, redirects included, goes to an address the guard allows: checking the
        // resolved addresses here, not the URL, also covers names that resolve to private ones.
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = addresses.Where(a => guard.Refusal(a) is null).ToArray();
            if (allowed.Length == 0)
            {
                throw new AddressRefusedException(addresses.Length == 0 ? $"'{host}' resolves to no address." : guard.Refusal(addresses[0])!);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
