using Microsoft.AspNetCore.Diagnostics;

namespace TaskFlow.Server.Hosting;

/// <summary>
/// Turns exceptions that escape an endpoint into problem details. Bad requests caught by the
/// framework (a body over the limit, a query value that does not bind) keep their status and
/// message; anything else is a 500 that names the trace id but never the exception, whose
/// message may hold a connection string or a path.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large." : "Bad request.", bad.Message),

            // The framework's JSON body reader throws a plain InvalidOperationException for a charset
            // it cannot decode: the client's mistake, not the server's.
            InvalidOperationException when UnknownCharset(httpContext.Request) is { } charset =>
                (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.", $"The request's Content-Type names charset '{charset}', which the server cannot decode; send the body as UTF-8 (charset=utf-8)."),
            _ => (StatusCodes.Status500InternalServerError, "Internal server error.", $"The server failed to handle the request; the details are in its log under trace id {httpContext.TraceIdentifier}."),
        };
        if (status >= 500)
        {
            LogUnhandled(logger, httpContext.Request.Method, httpContext.Request.Path, httpContext.TraceIdentifier, exception);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static string? UnknownCharset(HttpRequest request)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.Charset.Value is not { Length: > 0 } charset)
        {
            return null;
        }

        try
        {
            System.Text.Encoding.GetEncoding(charset);
            return null;
        }
        catch (ArgumentException)
        {
            return charset;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path} (trace id {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, string traceId, Exception exception);
}
