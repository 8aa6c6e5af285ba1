using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Validation;

namespace TaskFlow.Server.Mcp;

// Sampling is deprecated as of MCP 2026-07-28 (SEP-2577), but clients of the earlier revisions
// that keep a session still offer it; a 2026-07-28 client never declares it, so it gets the
// structural decomposer.
#pragma warning disable MCP9005

/// <summary>
/// Decomposition through MCP sampling: the <c>decompose</c> tool may ask the calling client's model
/// (<c>sampling/createMessage</c>) for the subtasks, checks the answer against the same rules and
/// limits as listed subtasks, and falls back to the structural decomposer when the client cannot
/// sample, does not answer in time or answers badly.
/// </summary>
internal sealed partial class TaskDecompositionTools
{
    private const string Structural = "structural";

    private const string Model = "model";

    private const string DecomposerSchema = """
        "decomposer":{"type":"string","enum":["auto","model","structural"],"description":"Who proposes the subtasks when the task lists none. auto (the default): the client's model through MCP sampling when the client declared the sampling capability, else the structural decomposer; model: the same, but the result says why the model was not used when it was not; structural: the description's structure only. A model answer that breaks a rule or a limit falls back to the structural decomposer; the result's decomposer and fallbackReason say which was used and why."}
        """;

    /// <summary>The shape the model must answer in: the subtasks the REST decomposition accepts.</summary>
    internal string AnswerSchema()
    {
        var limits = decomposition.Limits;
        return "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\",\"required\":[\"subtasks\"],\"properties\":{"
            + $"\"subtasks\":{{\"type\":\"array\",\"minItems\":2,\"maxItems\":{limits.MaxSubtasks},\"items\":{{\"$ref\":\"#/$defs/subtask\"}}}}}},"
            + "\"additionalProperties\":false," + SubtaskDefs + "}";
    }

    /// <summary>Decomposes with the decomposer the arguments ask for; returns which one was used and, on a fallback, why.</summary>
    private async Task<(DecompositionResult Result, string Decomposer, string? FallbackReason)> DecomposeWithAsync(
        JsonObject args, DecompositionRequest request, McpServer? server, CancellationToken cancellationToken)
    {
        var wanted = args["decomposer"] switch
        {
            null => "auto",
            JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "auto" or Model or Structural => v.GetValue<string>(),
            var other => throw new ArgumentException($"'decomposer' is {other.ToJsonString()}; it must be auto, model or structural."),
        };

        string? reason = null;
        if (wanted != Structural)
        {
            if (request.Task.Subtasks.Count > 0)
            {
                reason = "The task lists its subtasks; the model was not asked.";
            }
            else if (server?.ClientCapabilities?.Sampling is null)
            {
                reason = "The client did not declare the sampling capability.";
            }
            else
            {
                (var result, reason) = await SampleAsync(args, request, server, cancellationToken);
                if (result is not null)
                {
                    return (result, Model, null);
                }
            }
        }

        return (await decomposition.DecomposeAsync(request, cancellationToken), Structural, wanted == Structural ? null : reason);
    }

    /// <summary>Asks the client's model for the subtasks; a result, or why there is none.</summary>
    private async Task<(DecompositionResult? Result, string? Problem)> SampleAsync(
        JsonObject args, DecompositionRequest request, McpServer server, CancellationToken cancellationToken)
    {
        string answer;
        var limit = decomposition.Options.SamplingTimeout;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(limit);
            try
            {
                var sampled = await server.SampleAsync(SamplingRequest(request), timeout.Token);
                answer = string.Concat(sampled.Content.OfType<TextContentBlock>().Select(t => t.Text));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, $"The client's model did not answer within {limit.TotalSeconds:0.#} s (TaskFlow:Decomposition:SamplingTimeout).");
            }
            catch (McpException ex)
            {
                return (null, $"The sampling request failed: {ex.Message}");
            }
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(Unfenced(answer));
        }
        catch (JsonException ex)
        {
            return (null, $"The model's answer is not JSON: {ex.Message}");
        }

        if (parsed is not JsonObject { Count: 1 } body || body["subtasks"] is not JsonArray subtasks)
        {
            return (null, "The model's answer is not an object with only a 'subtasks' array.");
        }

        if (subtasks.Count < 2)
        {
            return (null, $"The model proposed {subtasks.Count} subtask{(subtasks.Count == 1 ? "" : "s")}; a decomposition needs two or more.");
        }

        var proposed = new JsonObject();
        foreach (var name in new[] { "task", "strategy", "aggregation" })
        {
            if (args[name] is { } value)
            {
                proposed[name] = value.DeepClone();
            }
        }

        proposed["task"]!["subtasks"] = subtasks.DeepClone();
        var withSubtasks = DecompositionRequest.Parse(proposed, out var problems);
        if (withSubtasks is null)
        {
            return (null, "The model's subtasks are not valid: " + string.Join(" ", problems));
        }

        try
        {
            return (await decomposition.DecomposeAsync(withSubtasks, cancellationToken), null);
        }
        catch (DecompositionException ex)
        {
            return (null, "The model's subtasks are not valid: " + ex.Message);
        }
        catch (WorkflowValidationException ex)
        {
            return (null, "The model's subtasks are not valid: " + ex.Message);
        }
    }

    private CreateMessageRequestParams SamplingRequest(DecompositionRequest request)
    {
        var limits = decomposition.Limits;
        var task = request.Task;
        var prompt = $"""
            Decompose this task into subtasks that a workflow engine runs.

            Task id: {task.Id}
            Complexity: {task.Complexity} (0 to {limits.MaxComplexity})
            Description:
            {task.Description}

            Answer with one JSON object and nothing else, valid against this JSON schema:
            {AnswerSchema()}

            Rules: 2 to {limits.MaxSubtasks} subtasks; ids unique; dependencies name other subtasks' ids and form no cycle;
            a subtask's complexity is at most {limits.MaxComplexity}; use no members the schema does not list.
            Give a subtask a command, script, tool (with arguments) or workflow only when the task says what to run.
            """;
        return new CreateMessageRequestParams
        {
            SystemPrompt = "You split tasks into subtasks for a workflow engine. You answer with JSON only.",
            Messages = [new SamplingMessage { Role = Role.User, Content = [new TextContentBlock { Text = prompt }] }],
            MaxTokens = 4096,
            Temperature = 0,
        };
    }

    /// <summary>The answer without a Markdown code fence around it, which models often add.</summary>
    private static string Unfenced(string answer)
    {
        var text = answer.Trim();
        if (!text.StartsWith("```", StringComparison.Ordinal))
        {
            return text;
        }

        var firstLine = text.IndexOf('\n');
        var end = text.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine < 0 || end <= firstLine ? text : text[(firstLine + 1)..end].Trim();
    }
}
#pragma warning restore MCP9005
