using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskFlow.Server.Hosting;

namespace TaskFlow.Server.Api;

/// <summary>
/// Reads a JSON request body as text, enforcing the content type (415) and the size limit (413)
/// before anything is parsed. Handlers read text rather than bind models because the definition
/// parser reports problems with line and column, which model binding would lose.
/// </summary>
internal static class RequestBody
{
    /// <summary>The body text, or the problem to answer with. An absent body is "" when <paramref name="optional"/>.</summary>
    public static async Task<(string Text, IResult? Problem)> ReadJsonAsync(HttpRequest request, bool optional = false)
    {
        var limit = request.HttpContext.RequestServices.GetRequiredService<IOptions<TaskFlowServerOptions>>().Value.MaxRequestBodySize;
        if (optional && request.ContentLength is null or 0 && string.IsNullOrEmpty(request.ContentType))
        {
            return ("", null);
        }

        if (!request.HasJsonContentType())
        {
            return ("", TypedResults.Problem(
                title: "Unsupported media type.",
                detail: $"Send the body as JSON with 'Content-Type: application/json'{(string.IsNullOrEmpty(request.ContentType) ? "; no content type was given" : $", not '{request.ContentType}'")}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        if (request.ContentLength > limit)
        {
            return ("", TooLarge(limit));
        }

        // Chunked bodies carry no length: read at most one byte past the limit to tell.
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                return ("", TooLarge(limit));
            }
        }

        return (Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
    }

    /// <summary>A 400 naming the 1-based line and column of a JSON syntax error.</summary>
    public static IResult Malformed(JsonException ex) => ApiProblems.BadRequest(
        "Malformed JSON.",
        $"Malformed JSON at line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: {Reason(ex)}");

    public static IResult TooLarge(long limit) => TypedResults.Problem(
        title: "Request body too large.",
        detail: $"The body is larger than the limit of {limit} bytes (TaskFlow:Server:MaxRequestBodySize).",
        statusCode: StatusCodes.Status413PayloadTooLarge);

    private static string Reason(JsonException ex)
    {
        var cut = ex.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? ex.Message[..cut].TrimEnd() : ex.Message;
    }
}
