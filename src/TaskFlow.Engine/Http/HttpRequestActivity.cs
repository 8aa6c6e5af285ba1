using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;

namespace TaskFlow.Engine.Http;

/// <summary>
/// Sends one HTTP request through the resilient client (retries with jitter on transient failures,
/// a circuit breaker per host) and outputs the response: <c>{ status, reason, headers, body }</c>,
/// the body parsed when it is JSON. Connections to loopback, link-local and private addresses are
/// refused unless configured (<see cref="HttpRequestOptions"/>).
/// </summary>
[Activity(Type, Category = "Integration", Description = "Sends an HTTP request and outputs the response { status, reason, headers, body } (body parsed when JSON). Transient failures are retried with backoff for idempotent methods (or with retry: true); a status outside expectStatus fails the node.")]
internal sealed class HttpRequestActivity(IHttpClientFactory clients, IOptions<HttpRequestOptions> options) : Activity<HttpRequestInputs>
{
    public const string Type = "http.request";

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    protected override async ValueTask<ActivityResult> ExecuteAsync(HttpRequestInputs inputs, ActivityContext context)
    {
        var method = inputs.Method.ToUpperInvariant();
        if (!Methods.Contains(method))
        {
            return ActivityResult.Failed($"'method' is '{inputs.Method}'; use one of {string.Join(", ", Methods)}.", retryable: false);
        }

        if (!Uri.TryCreate(inputs.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return ActivityResult.Failed($"'url' is '{inputs.Url}', which is not an absolute http or https URL.", retryable: false);
        }

        var timeout = options.Value.DefaultTimeout;
        if (inputs.Timeout is not null && (!Duration.TryParse(inputs.Timeout, out timeout) || timeout <= TimeSpan.Zero))
        {
            return ActivityResult.Failed($"'timeout' is '{inputs.Timeout}', which is not a positive duration (e.g. 10s).", retryable: false);
        }

        var cap = inputs.MaxResponseBytes ?? options.Value.MaxResponseBytes;
        using var request = new HttpRequestMessage(new HttpMethod(method), WithQuery(url, inputs.Query)) { Content = Content(inputs) };
        foreach (var (name, value) in inputs.Headers ?? [])
        {
            var text = value?.ToString() ?? "";
            if (!request.Headers.TryAddWithoutValidation(name, text) && request.Content is not null)
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, text);
            }
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        deadline.CancelAfter(timeout);
        var client = clients.CreateClient(inputs.Retry ? HttpRequestClients.AnyMethod : HttpRequestClients.IdempotentOnly);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var (body, tooLarge) = await ReadAsync(response, cap, deadline.Token);
            if (tooLarge)
            {
                return ActivityResult.Failed($"{method} {url} answered with a body over {cap} bytes (maxResponseBytes).", retryable: false);
            }

            var status = (int)response.StatusCode;
            if (inputs.ExpectStatus is { Count: > 0 } expected ? !expected.Contains(status) : status is < 200 or > 299)
            {
                var expectedText = inputs.ExpectStatus is { Count: > 0 } e ? string.Join(", ", e) : "2xx";
                return ActivityResult.Failed($"{method} {url} answered {status} {response.ReasonPhrase}; expected {expectedText}.", retryable: status is >= 500 or 408 or 429);
            }

            return ActivityResult.Succeeded(new JsonObject
            {
                ["status"] = status,
                ["reason"] = response.ReasonPhrase,
                ["headers"] = Headers(response),
                ["body"] = Parse(body, response.Content.Headers.ContentType),
            });
        }
        catch (Exception ex) when (Refusal(ex) is { } refused)
        {
            return ActivityResult.Failed($"{method} {url}: {refused.Message}", retryable: false);
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            return ActivityResult.Failed($"{method} {url} did not answer within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (timeout).");
        }
        catch (BrokenCircuitException ex)
        {
            return ActivityResult.Failed($"{method} {url}: {ex.Message}");
        }
        catch (HttpRequestException ex)
        {
            return ActivityResult.Failed($"{method} {url} failed: {ex.Message}");
        }
    }

    internal static AddressRefusedException? Refusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is AddressRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private static Uri WithQuery(Uri url, JsonObject? query)
    {
        if (query is not { Count: > 0 })
        {
            return url;
        }

        var text = new StringBuilder(url.Query.TrimStart('?'));
        foreach (var (name, value) in query)
        {
            foreach (var item in value is JsonArray list ? list.ToArray() : new[] { value })
            {
                text.Append(text.Length > 0 ? "&" : "").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(item?.ToString() ?? ""));
            }
        }

        return new UriBuilder(url) { Query = text.ToString() }.Uri;
    }

    private static HttpContent? Content(HttpRequestInputs inputs) => inputs.Body switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => new StringContent(text, Encoding.UTF8, MediaTypeHeaderValue.Parse(inputs.ContentType ?? "text/plain")),
        var json => new StringContent(json.ToJsonString(), Encoding.UTF8, MediaTypeHeaderValue.Parse(inputs.ContentType ?? "application/json")),
    };

    private static async Task<(byte[] Body, bool TooLarge)> ReadAsync(HttpResponseMessage response, long cap, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > cap)
        {
            return ([], true);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > cap)
            {
                return ([], true);
            }
        }

        return (buffer.ToArray(), false);
    }

    private static JsonObject Headers(HttpResponseMessage response)
    {
        var headers = new JsonObject();
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name.ToLowerInvariant()] = string.Join(", ", values);
        }

        return headers;
    }

    private static JsonNode? Parse(byte[] body, MediaTypeHeaderValue? contentType)
    {
        if (body.Length == 0)
        {
            return null;
        }

        if (contentType?.MediaType is { } media && (media.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            try
            {
                return JsonNode.Parse(body);
            }
            catch (JsonException)
            {
                // Said JSON but is not: keep the text rather than fail the call.
            }
        }

        return Encoding.UTF8.GetString(body);
    }
}
