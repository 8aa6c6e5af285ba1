using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Decomposition;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Server.Mcp;

/// <summary>
/// The task-decomposition MCP server's tools (the reference report's task-decomposition-mcp):
/// <c>decompose</c>, <c>aggregate</c>, <c>run</c> and <c>status</c>, and for agents that pull work
/// <c>next_task</c>, <c>heartbeat_task</c>, <c>complete_task</c> and <c>fail_task</c>. Transport-agnostic: the server
/// serves them at <c>/mcp/task-decomposition</c>, and <c>taskflow mcp task-decomposition</c> over
/// stdio. Bad arguments come back as tool errors (<c>isError</c>) that say what is wrong.
/// </summary>
internal sealed partial class TaskDecompositionTools(TaskDecompositionService decomposition, WorkflowRuntime runtime, EngineStore store)
{
    public const string ServerName = "task-decomposition";

    private const int MaxWaitSeconds = 300;

    private const string TaskSchema = """
        "task":{"type":"object","description":"The task. Subtasks are derived from the description's structure (numbered or bulleted lists, headings, sequencing words) unless listed.",
          "required":["description"],
          "properties":{
            "id":{"type":"string","pattern":"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$","description":"Becomes the workflow definition id; derived from the description when omitted."},
            "description":{"type":"string"},
            "complexity":{"type":"integer","minimum":0,"description":"0 to maxComplexity (100 by default)."},
            "subtasks":{"type":"array","items":{"$ref":"#/$defs/subtask"}},
            "workspace":{"type":"object","description":"Where the subtasks' commands and scripts run: { mode: none|process|container|vm, scope, image, limits }."}},
          "additionalProperties":false},
        "strategy":{"type":"string","enum":["auto","parallel","hierarchical","recursive","sequential"],"description":"The graph's shape; auto picks one from the task's shape."},
        "aggregation":{"type":"string","enum":["sequential","parallel","weighted"],"description":"The mode of the aggregate nodes."}
        """;

    private const string SubtaskDefs = """
        "$defs":{"subtask":{"type":"object","required":["id"],"properties":{
          "id":{"type":"string","pattern":"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$"},
          "description":{"type":"string"},
          "complexity":{"type":"integer","minimum":0},
          "dependencies":{"type":"array","items":{"type":"string"}},
          "weight":{"type":"number","minimum":0},
          "toolHints":{"type":"array","items":{"type":"string"}},
          "group":{"type":"string"},
          "command":{"type":"array","items":{"type":"string"},"description":"A program and its arguments: the subtask runs it in a workspace (exec)."},
          "script":{"type":"string","description":"A shell script: the subtask runs it in a workspace (exec)."},
          "tool":{"type":"string","description":"An MCP tool: the subtask calls it through the router (mcp.call)."},
          "arguments":{"type":"object","description":"The tool's arguments."},
          "workflow":{"type":"string","description":"A stored workflow definition the subtask runs as a child."},
          "workspace":{"type":"object","description":"Where the command or script runs; the task's workspace when omitted."},
          "tier":{"type":"integer","minimum":1,"maximum":4,"description":"Dispatch tier, 1 (critical) to 4 (support)."}},
          "additionalProperties":false}}
        """;

    public static IReadOnlyList<Tool> Tools { get; } =
    [
        Define("decompose", "Decomposes a task into a workflow graph (parallel, hierarchical, recursive or sequential). Returns the strategy, the subtasks and the workflow definitions (children first, the root last); with save, stores them.",
            TaskObject("""
            "save":{"type":"boolean","description":"Store the definitions as new published versions."},
            """ + DecomposerSchema)),
        Define("aggregate", "Combines subtask results: sequential (in order), parallel (as they finished) or weighted (score = sum(w_i * s_i) / sum(w_i), s_i the score of a succeeded result, default 1, else 0). Returns each result, overall success and a summary.", """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["mode","results"],"properties":{
              "mode":{"type":"string","enum":["sequential","parallel","weighted"]},
              "results":{"type":"array","minItems":1,"items":{"type":"object","required":["id"],"properties":{
                "id":{"type":"string"},
                "status":{"type":"string","enum":["succeeded","failed","skipped","cancelled","pending"]},
                "output":{},
                "error":{"type":"string"},
                "score":{"type":"number","minimum":0,"maximum":1},
                "weight":{"type":"number","minimum":0},
                "finishedAt":{"type":"string","format":"date-time"}}}},
              "weights":{"type":"array","items":{"type":"number","minimum":0},"description":"One per result, in order; overrides each result's weight."}}}
            """),
        Define("run", "Decomposes a task, stores the workflow definitions and starts the root. Returns the instance id; with wait_seconds, waits that long for it to finish.",
            TaskObject($$"""
            "input":{"type":"object","description":"The instance's input."},
            "wait_seconds":{"type":"integer","minimum":0,"maximum":{{MaxWaitSeconds}}}
            """)),
        Define("status", "The status of a workflow instance: its status, output or error, and each node's status.", """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["instance_id"],"properties":{
              "instance_id":{"type":"string"}}}
            """),
        .. AgentTaskTools,
    ];

    /// <summary>The schema of a tool that takes a decomposition request and <paramref name="properties"/>.</summary>
    private static string TaskObject(string properties) =>
        "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\",\"required\":[\"task\"],\"properties\":{"
        + TaskSchema + "," + properties + "}," + SubtaskDefs + "}";

    public ListToolsResult ListTools() => new() { Tools = [.. Tools] };

    /// <summary>Runs one tool. An unknown tool is a protocol error; everything else the caller did wrong is a tool error.</summary>
    /// <param name="server">The session the call came on; the decompose tool asks its client's model through it (MCP sampling).</param>
    public async Task<CallToolResult> CallAsync(string name, IDictionary<string, JsonElement>? arguments, McpServer? server, CancellationToken cancellationToken)
    {
        var args = new JsonObject();
        foreach (var (key, value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            args[key] = JsonNode.Parse(value.GetRawText());
        }

        try
        {
            return name switch
            {
                "decompose" => await DecomposeAsync(args, server, cancellationToken),
                "aggregate" => Aggregate(args),
                "run" => await RunAsync(args, cancellationToken),
                "status" => await StatusAsync(args, cancellationToken),
                "next_task" => await NextTaskAsync(args, cancellationToken),
                "heartbeat_task" => await HeartbeatTaskAsync(args, cancellationToken),
                "complete_task" => await FinishTaskAsync(args, completed: true, cancellationToken),
                "fail_task" => await FinishTaskAsync(args, completed: false, cancellationToken),
                _ => throw new McpProtocolException($"Unknown tool '{name}'; this server has {string.Join(", ", Tools.Select(t => t.Name))}.", McpErrorCode.InvalidParams),
            };
        }
        catch (DecompositionException ex)
        {
            return Error(ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Error(ex.Message);
        }
        catch (WorkflowValidationException ex)
        {
            return Error(ex.Message);
        }
    }

    private async Task<CallToolResult> DecomposeAsync(JsonObject args, McpServer? server, CancellationToken cancellationToken)
    {
        var save = Bool(args, "save");
        var (result, decomposer, fallbackReason) = await DecomposeWithAsync(args, Request(args, "save", "decomposer"), server, cancellationToken);
        if (save)
        {
            await decomposition.SaveAsync(result, cancellationToken);
        }

        var output = DecompositionJson.Describe(result);
        output["saved"] = save;
        output["decomposer"] = decomposer;
        if (fallbackReason is not null)
        {
            output["fallbackReason"] = fallbackReason;
        }

        return Ok(output, DecompositionJson.Outline(result) + (fallbackReason is null ? "" : $"\n(Structural decomposer: {fallbackReason})"));
    }

    private static CallToolResult Aggregate(JsonObject args)
    {
        Unknown(args, "mode", "results", "weights");
        var aggregation = SubtaskAggregation.FromJson(args["mode"], args["results"], args["weights"], out var problems)
            ?? throw new ArgumentException(string.Join(" ", problems));
        return Ok(aggregation.ToJson(), aggregation.Summary);
    }

    private async Task<CallToolResult> RunAsync(JsonObject args, CancellationToken cancellationToken)
    {
        var input = args["input"] switch
        {
            null => null,
            JsonObject given => (JsonObject)given.DeepClone(),
            _ => throw new ArgumentException("'input' must be an object."),
        };
        var wait = args["wait_seconds"] switch
        {
            null => 0,
            JsonValue v when v.TryGetValue<int>(out var seconds) && seconds is >= 0 and <= MaxWaitSeconds => seconds,
            var other => throw new ArgumentException($"'wait_seconds' is {other.ToJsonString()}; it must be a whole number from 0 to {MaxWaitSeconds}."),
        };
        var result = await decomposition.DecomposeAsync(Request(args, "input", "wait_seconds"), cancellationToken);
        var instanceId = await decomposition.RunAsync(result, input, cancellationToken);
        var output = new JsonObject
        {
            ["instance_id"] = instanceId,
            ["definition_id"] = result.Root!.Id,
            ["strategy"] = TaskDecompositionService.Name(result.Strategy),
            ["subtasks"] = new JsonArray(result.Subtasks.Select(s => (JsonNode?)JsonValue.Create(s.Id)).ToArray()),
        };
        if (wait > 0 && await runtime.WaitAsync(instanceId, TimeSpan.FromSeconds(wait), cancellationToken) is { } view)
        {
            output["status"] = view.Status.ToString().ToLowerInvariant();
            output["output"] = view.Output?.DeepClone();
            output["error"] = view.Error;
        }
        else
        {
            output["status"] = "running";
        }

        return Ok(output, $"Started instance {instanceId} of {result.Root.Id} ({result.Subtasks.Count} subtasks, {TaskDecompositionService.Name(result.Strategy)}); status: {output["status"]}.");
    }

    private async Task<CallToolResult> StatusAsync(JsonObject args, CancellationToken cancellationToken)
    {
        Unknown(args, "instance_id");
        var id = args["instance_id"] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 } text
            ? text
            : throw new ArgumentException("'instance_id' is required: the id run returned.");
        var view = await runtime.GetInstanceAsync(id, cancellationToken) ?? throw new ArgumentException($"There is no instance '{id}'.");
        var output = new JsonObject
        {
            ["instance_id"] = view.Id,
            ["definition_id"] = view.DefinitionId,
            ["status"] = view.Status.ToString().ToLowerInvariant(),
            ["output"] = view.Output?.DeepClone(),
            ["error"] = view.Error,
            ["nodes"] = new JsonArray(view.Nodes.Select(n => (JsonNode?)new JsonObject
            {
                ["id"] = n.NodeId,
                ["status"] = n.Status.ToString().ToLowerInvariant(),
                ["error"] = n.Error,
            }).ToArray()),
        };
        var counts = view.Nodes.GroupBy(n => n.Status).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        return Ok(output, $"Instance {view.Id} of {view.DefinitionId} is {output["status"]}; nodes: {string.Join(", ", counts)}.");
    }

    /// <summary>The decomposition request in the arguments; <paramref name="others"/> are the tool's own arguments besides it.</summary>
    private static DecompositionRequest Request(JsonObject args, params string[] others)
    {
        Unknown(args, [.. others, "task", "strategy", "aggregation"]);
        var request = new JsonObject();
        foreach (var name in new[] { "task", "strategy", "aggregation" })
        {
            if (args[name] is { } value)
            {
                request[name] = value.DeepClone();
            }
        }

        return DecompositionRequest.Parse(request, out var problems) ?? throw new ArgumentException(string.Join(" ", problems));
    }

    private static void Unknown(JsonObject args, params string[] known)
    {
        var unknown = args.Select(p => p.Key).Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown argument{(unknown.Count == 1 ? "" : "s")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}; this tool takes {string.Join(", ", known)}.");
        }
    }

    private static bool Bool(JsonObject args, string name) => args[name] switch
    {
        null => false,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw new ArgumentException($"'{name}' is {other.ToJsonString()}; it must be true or false."),
    };

    private static CallToolResult Ok(JsonObject result, string text) => new()
    {
        Content = [new TextContentBlock { Text = text }],
        StructuredContent = JsonSerializer.SerializeToElement(result),
    };

    private static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

    private static Tool Define(string name, string description, string schema) => new()
    {
        Name = name,
        Description = description,
        InputSchema = JsonDocument.Parse(schema).RootElement.Clone(),
    };
}
