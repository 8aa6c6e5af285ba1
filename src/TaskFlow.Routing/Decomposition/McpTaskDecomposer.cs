using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Decomposition;

namespace TaskFlow.Routing.Decomposition;

/// <summary>
/// Asks an MCP tool, through the router, for a task's subtasks: the tool named by
/// <c>TaskFlow:Decomposition:ProposerTool</c> (<c>server.tool</c>, or a tool name the routing rules
/// place). Without one, the built-in <see cref="StructuralTaskDecomposer"/> answers. The proposals
/// are checked by the same rules and limits as explicit subtasks.
/// </summary>
/// <remarks>
/// The tool gets <c>{ "task": { id, description, complexity }, "depth": n }</c> and answers with
/// <c>{ "subtasks": [ { id, description, complexity?, dependencies?, weight?, toolHints?, group? } ] }</c>
/// as structured content, or the same JSON (or the bare list) as its text. Fewer than two subtasks
/// means the task runs as one.
/// </remarks>
public sealed class McpTaskDecomposer(McpRouter router, IOptions<TaskDecompositionOptions> options) : ITaskDecomposer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly StructuralTaskDecomposer Structural = new();

    public async ValueTask<IReadOnlyList<Subtask>> ProposeAsync(DecompositionTask task, int depth, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (options.Value.ProposerTool is not { Length: > 0 } tool)
        {
            return await Structural.ProposeAsync(task, depth, cancellationToken);
        }

        var arguments = new JsonObject
        {
            ["task"] = new JsonObject { ["id"] = task.Id, ["description"] = task.Description, ["complexity"] = task.Complexity },
            ["depth"] = depth,
        };
        CallToolResult result;
        try
        {
            result = (await router.CallToolAsync(new McpToolCall(tool, arguments, Timeout: options.Value.ProposerTimeout), cancellationToken)).Result;
        }
        catch (McpRoutingException ex)
        {
            throw Failed(tool, task, $"the call failed: {ex.Message}");
        }

        if (result.IsError == true)
        {
            throw Failed(tool, task, "it answered with an error: " + Text(result));
        }

        return Parse(tool, task, result);
    }

    private static List<Subtask> Parse(string tool, DecompositionTask task, CallToolResult result)
    {
        JsonNode? answer;
        try
        {
            answer = result.StructuredContent is { } structured
                ? JsonNode.Parse(structured.GetRawText())
                : JsonNode.Parse(Text(result));
        }
        catch (JsonException ex)
        {
            throw Failed(tool, task, $"its answer is not JSON ({ex.Message}); answer {{ \"subtasks\": [...] }}");
        }

        var list = answer switch
        {
            JsonArray array => array,
            JsonObject { } o when o["subtasks"] is JsonArray array => array,
            _ => throw Failed(tool, task, "its answer has no subtasks list; answer { \"subtasks\": [...] }"),
        };
        try
        {
            return list.Deserialize<List<Subtask>>(Json) ?? [];
        }
        catch (JsonException ex)
        {
            throw Failed(tool, task, $"a proposed subtask cannot be read: {ex.Message}");
        }
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    private static DecompositionException Failed(string tool, DecompositionTask task, string reason) =>
        new([new ValidationProblem("decomposer.failed", $"task '{task.Id}'", $"Task '{task.Id}': the decomposer tool '{tool}' proposed no subtasks: {reason}.")]);
}
