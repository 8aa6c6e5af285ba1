using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Server.Api;

/// <summary>The body of <c>POST /api/approvals/{id}</c>: <c>decision</c> is required.</summary>
public sealed record ApprovalDecision(string Decision, string? Comment, JsonObject? Form, string? By)
{
    private static readonly string[] Members = ["decision", "comment", "form", "by"];

    internal static (ApprovalDecision Decision, IResult? Problem) Parse(string json)
    {
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
            return (default!, ApiProblems.BadRequest("Invalid decision.", "The body must be a JSON object: { \"decision\": \"approve\", \"comment\"?, \"form\"?, \"by\"? }."));
        }

        var errors = root.Where(p => !Members.Contains(p.Key)).Select(p => $"Unknown member '{p.Key}'; expected decision, comment, form and by.").ToList();
        var decision = Text(root, "decision", 200, errors);
        if (decision is null && root["decision"] is null)
        {
            errors.Add("'decision' is required: one of the approval's options.");
        }

        var comment = Text(root, "comment", 4000, errors);
        var by = Text(root, "by", 200, errors);
        if (root["form"] is not null and not JsonObject)
        {
            errors.Add("'form' must be a JSON object.");
        }

        return errors.Count > 0
            ? (default!, ApiProblems.BadRequest("Invalid decision.", string.Join(" ", errors), errors))
            : (new ApprovalDecision(decision!, comment, root["form"]?.DeepClone() as JsonObject, by), null);
    }

    private static string? Text(JsonObject root, string member, int max, List<string> errors)
    {
        if (root[member] is not { } node)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 && text.Length <= max)
        {
            return text;
        }

        errors.Add($"'{member}' must be a string of 1 to {max} characters.");
        return null;
    }
}
