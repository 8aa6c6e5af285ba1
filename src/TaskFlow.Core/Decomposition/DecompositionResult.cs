using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Decomposition;

/// <summary>
/// The workflow definitions a task decomposes into, or the problems that stopped it. A task
/// that breaks a rule or a limit yields problems, never a truncated graph.
/// </summary>
public sealed class DecompositionResult
{
    private DecompositionResult(IReadOnlyList<ValidationProblem> problems, DecompositionStrategy strategy, IReadOnlyList<Subtask> subtasks, IReadOnlyList<WorkflowDefinition> definitions, string reason)
    {
        Reason = reason;
        Problems = problems;
        Strategy = strategy;
        Subtasks = subtasks;
        Definitions = definitions;
    }

    /// <summary>Every reason the task could not be decomposed; empty on success.</summary>
    public IReadOnlyList<ValidationProblem> Problems { get; }

    public bool Succeeded => Problems.Count == 0;

    /// <summary>The strategy used for the root; never <see cref="DecompositionStrategy.Auto"/> on success.</summary>
    public DecompositionStrategy Strategy { get; }

    /// <summary>Why the root has its layout, in a sentence; empty when the task could not be decomposed.</summary>
    public string Reason { get; }

    /// <summary>The subtasks of the root: the explicit ones, or those proposed from the description.</summary>
    public IReadOnlyList<Subtask> Subtasks { get; }

    /// <summary>
    /// Every generated definition, children before the workflows that run them, so that saving
    /// them in this order never refers to a definition that is not stored yet. The root is last.
    /// </summary>
    public IReadOnlyList<WorkflowDefinition> Definitions { get; }

    /// <summary>The definition to start. Null when the task could not be decomposed.</summary>
    public WorkflowDefinition? Root => Definitions.Count == 0 ? null : Definitions[^1];

    /// <summary>The root definition; throws <see cref="DecompositionException"/> listing every problem when there is none.</summary>
    public WorkflowDefinition EnsureSucceeded() => Succeeded ? Root! : throw new DecompositionException(Problems);

    /// <summary>
    /// Validates every definition against <paramref name="activities"/>, resolving child workflows
    /// among the generated definitions first and then through <paramref name="resolveStored"/>.
    /// Each problem's target and message start with the definition id.
    /// </summary>
    public IReadOnlyList<ValidationProblem> Validate(
        IReadOnlyDictionary<string, ActivityDescriptor> activities,
        WorkflowLimits limits,
        Func<string, WorkflowDefinition?>? resolveStored = null)
    {
        ArgumentNullException.ThrowIfNull(activities);
        ArgumentNullException.ThrowIfNull(limits);
        var byId = Definitions.ToDictionary(d => d.Id, StringComparer.Ordinal);
        var validator = new WorkflowValidator(activities, limits, id => byId.GetValueOrDefault(id) ?? resolveStored?.Invoke(id));
        return Definitions
            .SelectMany(d => validator.Validate(d).Select(p => p with { Target = $"definition '{d.Id}' {p.Target}", Message = $"{d.Id}: {p.Message}" }))
            .ToList();
    }

    internal static DecompositionResult Failed(IReadOnlyList<ValidationProblem> problems, IReadOnlyList<Subtask> subtasks) =>
        new(problems, DecompositionStrategy.Auto, subtasks, [], "");

    internal static DecompositionResult Success(DecompositionStrategy strategy, IReadOnlyList<Subtask> subtasks, IReadOnlyList<WorkflowDefinition> definitions, string reason) =>
        new([], strategy, subtasks, definitions, reason);
}
