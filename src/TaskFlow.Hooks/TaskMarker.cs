using System.Text.RegularExpressions;

namespace TaskFlow.Hooks;

/// <summary>
/// <c>[taskflow:WORKFLOW/SUBTASK]</c> at the start of a Task prompt ties that Task call to one
/// subtask of a stored plan. The ids follow the definition and subtask id rules, so a marker can
/// be parsed without knowing the plan.
/// </summary>
internal static partial class TaskMarker
{
    public static string Format(string workflowId, string subtaskId) => $"[taskflow:{workflowId}/{subtaskId}]";

    /// <summary>Finds a marker at the start of <paramref name="prompt"/> (after white space).</summary>
    public static bool TryParse(string? prompt, out string workflowId, out string subtaskId) => TryMatch(prompt is null ? null : AtStart().Match(prompt), out workflowId, out subtaskId);

    /// <summary>Finds a marker anywhere in <paramref name="text"/> (a subagent's last message quoting its prompt).</summary>
    public static bool TryFind(string? text, out string workflowId, out string subtaskId) => TryMatch(text is null ? null : Anywhere().Match(text), out workflowId, out subtaskId);

    private static bool TryMatch(Match? match, out string workflowId, out string subtaskId)
    {
        workflowId = match is { Success: true } ? match.Groups["workflow"].Value : "";
        subtaskId = match is { Success: true } ? match.Groups["subtask"].Value : "";
        return match is { Success: true };
    }

    [GeneratedRegex(@"\A\s*\[taskflow:(?<workflow>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})/(?<subtask>[A-Za-z0-9_][A-Za-z0-9_-]{0,63})\]")]
    private static partial Regex AtStart();

    [GeneratedRegex(@"\[taskflow:(?<workflow>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})/(?<subtask>[A-Za-z0-9_][A-Za-z0-9_-]{0,63})\]")]
    private static partial Regex Anywhere();
}
