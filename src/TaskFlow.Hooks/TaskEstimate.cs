using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TaskFlow.Hooks;

/// <summary>
/// claude-flow 3.x's pre-task estimate, computed the way it does for a description with no learned
/// history: its complexity rule (complex/architecture or over 200 characters is high;
/// simple/fix or under 50 characters is low; else medium), the duration and risk that follow, and
/// agents suggested from keywords. TaskFlow's own complexity (0 to 100) is taken from the level.
/// </summary>
internal static partial class TaskEstimate
{
    private static readonly (Regex Pattern, string[] Agents, double Confidence)[] Keywords =
    [
        (TestWords(), ["tester", "reviewer"], 0.95),
        (ReviewWords(), ["reviewer", "security-auditor"], 0.9),
        (SecurityWords(), ["security-auditor", "reviewer"], 0.9),
        (ResearchWords(), ["researcher", "analyst"], 0.85),
        (DocsWords(), ["researcher", "coder"], 0.8),
        (ArchitectureWords(), ["architect", "coder"], 0.85),
        (PerformanceWords(), ["performance-engineer", "coder"], 0.85),
        (BugWords(), ["coder", "tester"], 0.85),
    ];

    public static string Level(string description)
    {
        var lower = description.ToLowerInvariant();
        return lower.Contains("complex", StringComparison.Ordinal) || lower.Contains("architecture", StringComparison.Ordinal) || description.Length > 200 ? "high"
            : lower.Contains("simple", StringComparison.Ordinal) || lower.Contains("fix", StringComparison.Ordinal) || description.Length < 50 ? "low"
            : "medium";
    }

    /// <summary>TaskFlow's complexity for a level: low 20, medium 50, high 80 (above the default recursion threshold of 60).</summary>
    public static int Complexity(string level) => level switch { "high" => 80, "medium" => 50, _ => 20 };

    public static string Duration(string level) => level switch { "high" => "2-4 hours", "medium" => "30-60 min", _ => "10-30 min" };

    public static (string[] Agents, double Confidence) Agents(string description)
    {
        foreach (var (pattern, agents, confidence) in Keywords)
        {
            if (pattern.IsMatch(description))
            {
                return (agents, confidence);
            }
        }

        return (["coder", "researcher", "tester"], 0.7);
    }

    /// <summary>claude-flow's pre-task fields: taskId, description, suggestedAgents, complexity, estimatedDuration, risks, recommendations, timestamp.</summary>
    public static JsonObject Describe(string taskId, string description, int subtaskCount, DateTimeOffset now)
    {
        var level = Level(description);
        var (agents, confidence) = Agents(description);
        var suggested = new JsonArray();
        for (var i = 0; i < agents.Length; i++)
        {
            suggested.Add((JsonNode)new JsonObject
            {
                ["type"] = agents[i],
                ["confidence"] = Math.Round(confidence - 0.05 * i, 2),
                ["reason"] = i == 0 ? $"Primary agent for {agents[i]} tasks (keyword match)" : $"Alternative agent with {agents[i]} capabilities",
            });
        }

        var risks = new List<string>();
        if (level == "high")
        {
            risks.Add("Complex task may require multiple iterations");
        }

        var recommendations = new List<string>
        {
            $"Use {agents[0]} as primary agent",
            subtaskCount > 1 ? $"Run the {subtaskCount} subtasks as planned; independent ones can run in parallel" : "Single agent recommended",
        };
        return new JsonObject
        {
            ["taskId"] = taskId,
            ["description"] = description,
            ["suggestedAgents"] = suggested,
            ["complexity"] = level,
            ["estimatedDuration"] = Duration(level),
            ["risks"] = HookJson.Strings(risks),
            ["recommendations"] = HookJson.Strings(recommendations),
            ["timestamp"] = HookJson.Format(now),
        };
    }

    [GeneratedRegex(@"\b(test|tests|testing|tested|spec|coverage)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TestWords();

    [GeneratedRegex(@"\b(review|reviews|reviewing|audit|audits)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ReviewWords();

    [GeneratedRegex(@"\b(security|vulnerability|vulnerabilities|cve|auth|authentication)\b", RegexOptions.IgnoreCase)]
    private static partial Regex SecurityWords();

    [GeneratedRegex(@"\b(research|investigate|investigating|analyse|analyze|analysis|explore)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ResearchWords();

    [GeneratedRegex(@"\b(document|documentation|docs|readme)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DocsWords();

    [GeneratedRegex(@"\b(architecture|design|architect)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ArchitectureWords();

    [GeneratedRegex(@"\b(performance|optimi[sz]e|optimi[sz]ation|latency|benchmark)\b", RegexOptions.IgnoreCase)]
    private static partial Regex PerformanceWords();

    [GeneratedRegex(@"\b(fix|fixes|fixing|bug|bugs|error|crash)\b", RegexOptions.IgnoreCase)]
    private static partial Regex BugWords();
}
