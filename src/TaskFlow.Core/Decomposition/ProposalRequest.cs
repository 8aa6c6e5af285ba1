namespace TaskFlow.Core.Decomposition;

/// <summary>
/// A task whose subtasks the planner needs: the root when it has no explicit subtasks, or a
/// subtask above the recursion threshold (<see cref="Subtask"/>) that may be decomposed again.
/// </summary>
/// <param name="Depth">The nesting depth of the workflow the proposed subtasks would run in.</param>
internal sealed record ProposalRequest(PlanLevel Level, Subtask? Subtask, DecompositionTask Task, int Depth);
