using System.Diagnostics;
using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;
using TaskFlow.Engine.Secrets;

namespace TaskFlow.Engine.Http;

/// <summary>
/// The log of <c>http.request</c>'s clients, in place of the HTTP client factory's own, which
/// writes every URL as it is: a URL holds a secret when a node templates one into it. Each request
/// is one line when it ends (method, URL with every secret value masked, status, duration), at
/// Debug, or Warning when it failed without an answer.
/// </summary>
internal sealed partial class RedactedHttpLog(SecretStore secrets, ILogger<RedactedHttpLog> logger) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request) => null;

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Answered(logger, request.Method.Method, Url(request), (int)response.StatusCode, elapsed.TotalMilliseconds);
        }
    }

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        Failed(logger, request.Method.Method, Url(request), elapsed.TotalMilliseconds, SecretStore.Redact(exception.Message, secrets.CurrentMaskable())!);

    private string Url(HttpRequestMessage request) => SecretStore.Redact(request.RequestUri?.ToString(), secrets.CurrentMaskable()) ?? "";

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP {Method} {Url} answered {Status} after {ElapsedMs:0.#} ms")]
    private static partial void Answered(ILogger logger, string method, string url, int status, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP {Method} {Url} failed after {ElapsedMs:0.#} ms: {Error}")]
    private static partial void Failed(ILogger logger, string method, string url, double elapsedMs, string error);
}
