using System.Text.RegularExpressions;

namespace TaskFlow.Core.Decomposition;

/// <summary>
/// The ids of generated definitions and nodes. Subtask ids become node ids as they are; the
/// structural nodes are <c>start</c>, <c>join</c>, <c>aggregate</c> and <c>g1.fork</c>-style group
/// nodes, which a subtask id cannot be because it may not contain a dot or be a reserved name.
/// </summary>
internal static partial class DecompositionIds
{
    public const int MaxDefinitionIdLength = 128;
    public const int MaxSubtaskIdLength = 64;
    public const string Start = "start";
    public const string Join = "join";
    public const string Aggregate = "aggregate";

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { Start, Join, Aggregate };

    // The definition id rule of docs/workflow-format.md.
    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex DefinitionIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex SubtaskIdPattern();

    public static bool IsValidDefinitionId(string? id) => id is not null && DefinitionIdPattern().IsMatch(id);

    public static bool IsValidSubtaskId(string id) => SubtaskIdPattern().IsMatch(id);

    public static bool IsReserved(string id) => Reserved.Contains(id);

    /// <summary>The id of the child definition that runs subtask <paramref name="subtaskId"/> of <paramref name="parentId"/>.</summary>
    public static string Child(string parentId, string subtaskId) => parentId + "." + subtaskId;

    public static string GroupFork(int group) => $"g{group}.fork";

    public static string GroupJoin(int group) => $"g{group}.join";

    public static string GroupAggregate(int group) => $"g{group}.aggregate";
}
