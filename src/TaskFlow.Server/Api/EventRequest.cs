using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Server.Api;

/// <summary>The body of <c>POST /api/events/{name}</c>; every member is optional.</summary>
public sealed record EventRequest(string? Correlation, string? InstanceId, JsonNode? Payload)
{
    private static readonly string[] Members = ["correlation", "instanceId", "payload"];

    internal static (EventRequest Request, IResult? Problem) Parse(string json)
    {
        if (json.Length == 0)
        {
            return (new EventRequest(null, null, null), null);
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return (default!, RequestBody.Malformed(ex));
        }

        if (body is not JsonObject root)
        {
            return (default!, ApiProblems.BadRequest("Invalid event.", "The body must be a JSON object: { \"correlation\": \"...\", \"instanceId\": \"...\", \"payload\": any }."));
        }

        var errors = root.Where(p => !Members.Contains(p.Key)).Select(p => $"Unknown member '{p.Key}'; expected correlation, instanceId and payload.").ToList();
        var correlation = Text(root, "correlation", errors);
        var instanceId = Text(root, "instanceId", errors);
        return errors.Count > 0
            ? (default!, ApiProblems.BadRequest("Invalid event.", string.Join(" ", errors), errors))
            : (new EventRequest(correlation, instanceId, root["payload"]?.DeepClone()), null);
    }

    private static string? Text(JsonObject root, string member, List<string> errors)
    {
        if (root[member] is not { } node)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length is > 0 and <= 400)
        {
            return text;
        }

        errors.Add($"'{member}' must be a string of 1 to 400 characters.");
        return null;
    }
}
