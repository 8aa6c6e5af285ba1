using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Server.HttpTriggers;

/// <summary>
/// The request as an instance's input: <c>{ method, path, route, query, headers, body }</c>. The
/// body is parsed when it is JSON and kept as text otherwise. Headers that carry credentials
/// (API keys, cookies, authorization, signatures, tokens, secrets) are left out: an instance's
/// input is readable by every viewer key.
/// </summary>
internal static class HttpTriggerInput
{
    private static readonly string[] SecretHeaders = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"];
    private static readonly string[] SecretWords = ["signature", "secret", "token", "api-key", "apikey", "password", "auth"];

    public static bool IsSecret(string header, string signatureHeader) =>
        SecretHeaders.Contains(header, StringComparer.OrdinalIgnoreCase)
        || string.Equals(header, signatureHeader, StringComparison.OrdinalIgnoreCase)
        || SecretWords.Any(w => header.Contains(w, StringComparison.OrdinalIgnoreCase));

    /// <summary>The input, or the reason the body is refused (malformed JSON, naming line and column).</summary>
    public static (JsonObject? Input, string? Malformed) Create(HttpRequest request, IReadOnlyDictionary<string, string> route, byte[] body, string signatureHeader)
    {
        JsonNode? parsed = null;
        if (body.Length > 0)
        {
            if (request.HasJsonContentType())
            {
                try
                {
                    parsed = JsonNode.Parse(body);
                }
                catch (JsonException ex)
                {
                    return (null, $"Malformed JSON at line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}.");
                }
            }
            else
            {
                parsed = Encoding.UTF8.GetString(body);
            }
        }

        var query = new JsonObject();
        foreach (var (name, values) in request.Query)
        {
            query[name] = values.Count == 1 ? values[0] : new JsonArray([.. values.Select(v => (JsonNode?)v)]);
        }

        var headers = new JsonObject();
        foreach (var (name, values) in request.Headers)
        {
            if (!IsSecret(name, signatureHeader))
            {
                headers[name.ToLowerInvariant()] = values.ToString();
            }
        }

        return (new JsonObject
        {
            ["method"] = request.Method,
            ["path"] = request.Path.Value,
            ["route"] = new JsonObject([.. route.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))]),
            ["query"] = query,
            ["headers"] = headers,
            ["body"] = parsed,
        }, null);
    }
}
