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

    public static JsonObject SubagentStop(string session, string cwd, string? lastMessage) =>
        Common(session, cwd, "SubagentStop", new JsonObject
        {
            ["stop_hook_active"] = false,
            ["agent_id"] = "a1b2c3d4",
            ["agent_type"] = "general-purpose",
            ["agent_transcript_path"] = "/home/user/.claude/projects/p/agent-a1b2c3d4.jsonl",
            ["last_assistant_message"] = lastMessage,
        });

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
