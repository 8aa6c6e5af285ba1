namespace TaskFlow.Server.Hosting;

/// <summary>
/// Writes problem details as <c>application/problem+json</c> when the client's <c>Accept</c> header
/// admits no JSON (an SSE client's <c>text/event-stream</c>, <c>application/xml</c>). The default
/// writer declines such requests, and then a 400 or 404 lost its explanation: the status-code page
/// and the exception handler found no writer and the answer became an empty 500. An error is
/// better explained in a type the client did not ask for than not at all (RFC 9110 allows a
/// server to disregard Accept).
/// </summary>
internal sealed class ProblemJsonFallbackWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        context.ProblemDetails.Status ??= response.StatusCode;
        context.ProblemDetails.Title ??= Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(context.ProblemDetails.Status.Value);
        context.ProblemDetails.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
        return new ValueTask(response.WriteAsJsonAsync(context.ProblemDetails, context.ProblemDetails.GetType(), options: null, contentType: "application/problem+json"));
    }
}
