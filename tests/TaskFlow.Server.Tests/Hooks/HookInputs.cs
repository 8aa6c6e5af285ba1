using System.Text.Json.Nodes;

namespace TaskFlow.Server.Tests.Hooks;

/// <summary>
/// Hook inputs as Claude Code sends them on stdin (the shapes of its hooks reference): the common
/// fields (session_id, transcript_path, cwd, permission_mode, hook_event_name) and each event's own.
/// </summary>
internal static class HookInputs
{
    public static JsonObject PreToolUse(string session, string cwd, string tool, string prompt, string toolUseId, string description = "Run the task") =>
        Common(session, cwd, "PreToolUse", new JsonObject
        {
            ["tool_name"] = tool,
            ["tool_input"] = new JsonObject { ["description"] = description, ["prompt"] = prompt, ["subagent_type"] = "general-purpose" },
            ["tool_use_id"] = toolUseId,
        });

    /// <summary>A Task call's PostToolUse: tool_response is the subagent's answer (content blocks, usage, duration).</summary>
    public static JsonObject PostToolUse(string session, string cwd, string tool, string prompt, string toolUseId, string answer, bool isError = false, string description = "Run the task")
    {
        var response = new JsonObject
        {
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = answer }),
            ["totalDurationMs"] = 1234,
            ["totalTokens"] = 567,
            ["totalToolUseCount"] = 3,
        };
        if (isError)
        {
            response["is_error"] = true;
        }

        return Common(session, cwd, "PostToolUse", new JsonObject
        {
            ["tool_name"] = tool,
            ["tool_input"] = new JsonObject { ["description"] = description, ["prompt"] = prompt, ["subagent_type"] = "general-purpose" },
            ["tool_response"] = response,
            ["tool_use_id"] = toolUseId,
        });
    }

    /// <summary>PostToolUse of an Agent call launched in the background: the launch receipt, no result yet.</summary>
    public static JsonObject AsyncLaunched(string session, string cwd, string tool, string prompt, string toolUseId, string agentId, string description = "Run the task") =>
        Common(session, cwd, "PostToolUse", new JsonObject
        {
            ["tool_name"] = tool,
            ["tool_input"] = new JsonObject { ["description"] = description, ["prompt"] = prompt, ["subagent_type"] = "general-purpose" },
            ["tool_response"] = new JsonObject
            {
                ["status"] = "async_launched",
                ["agentId"] = agentId,
                ["description"] = description,
                ["prompt"] = prompt,
                ["outputFile"] = $"/tmp/claude-1000/p/tasks/{agentId}.output",
                ["resolvedModel"] = "claude-sonnet-4-6",
            },
            ["tool_use_id"] = toolUseId,
        });

    public static JsonObject PostToolUseFailure(string session, string cwd, string tool, string prompt, string toolUseId, string error) =>
        Common(session, cwd, "PostToolUseFailure", new JsonObject
        {
            ["tool_name"] = tool,
            ["tool_input"] = new JsonObject { ["description"] = "Run the task", ["prompt"] = prompt, ["subagent_type"] = "general-purpose" },
            ["tool_use_id"] = toolUseId,
            ["error"] = error,
            ["is_interrupt"] = false,
        });

    public static JsonObject SubagentStart(string session, string cwd, string agentId, string agentType) =>
        Common(session, cwd, "SubagentStart", new JsonObject { ["agent_id"] = agentId, ["agent_type"] = agentType });

    public static JsonObject SubagentStop(string session, string cwd, string? lastMessage, string agentId = "a1b2c3d4") =>
        Common(session, cwd, "SubagentStop", new JsonObject
        {
            ["stop_hook_active"] = false,
            ["agent_id"] = agentId,
            ["agent_type"] = "general-purpose",
            ["agent_transcript_path"] = $"/home/user/.claude/projects/p/{session}/subagents/agent-{agentId}.jsonl",
            ["last_assistant_message"] = lastMessage,
            ["background_tasks"] = new JsonArray(),
            ["session_crons"] = new JsonArray(),
        });

    /// <summary>The end of a turn of the main agent.</summary>
    public static JsonObject Stop(string session, string cwd, string lastMessage = "Done.") =>
        Common(session, cwd, "Stop", new JsonObject { ["stop_hook_active"] = false, ["last_assistant_message"] = lastMessage });

    public static JsonObject Bash(string session, string cwd) =>
        Common(session, cwd, "PreToolUse", new JsonObject
        {
            ["tool_name"] = "Bash",
            ["tool_input"] = new JsonObject { ["command"] = "npm test", ["description"] = "Run the tests" },
            ["tool_use_id"] = "toolu_bash",
        });

    public static JsonObject UserPromptSubmit(string session, string cwd) =>
        Common(session, cwd, "UserPromptSubmit", new JsonObject { ["prompt"] = "- Write the docs\n- Write the tests" });

    private static JsonObject Common(string session, string cwd, string eventName, JsonObject fields)
    {
        var input = new JsonObject
        {
            ["session_id"] = session,
            ["transcript_path"] = $"/home/user/.claude/projects/p/{session}.jsonl",
            ["cwd"] = cwd,
            ["permission_mode"] = "default",
            ["hook_event_name"] = eventName,
        };
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            input[name] = value;
        }

        return input;
    }
}
