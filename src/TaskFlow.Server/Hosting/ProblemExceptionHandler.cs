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

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path} (trace id {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, string traceId, Exception exception);
}
