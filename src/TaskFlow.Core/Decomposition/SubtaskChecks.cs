using System.Globalization;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Decomposition;

/// <summary>The rules every list of subtasks must follow, explicit or proposed, at any level.</summary>
internal static class SubtaskChecks
{
    /// <summary>
    /// Every problem with <paramref name="subtasks"/>, the subtasks of <paramref name="owner"/>
    /// (a task, or a subtask being decomposed again, named by its path such as <c>build/s2</c>).
    /// </summary>
    public static List<ValidationProblem> Check(IReadOnlyList<Subtask?> subtasks, string owner, string? path, DecompositionOptions options)
    {
        var problems = new List<ValidationProblem>();
        var limits = options.Limits;
        if (subtasks.Count > limits.MaxSubtasks)
        {
            problems.Add(new("limit.subtasks", path is null ? "$.subtasks" : $"subtask '{path}'",
                $"{owner} has {subtasks.Count} subtasks, more than max_subtasks ({limits.MaxSubtasks}); merge some of them or raise the limit."));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < subtasks.Count; i++)
        {
            var subtask = subtasks[i];
            if (subtask is null)
            {
                problems.Add(new("subtask.missing", $"$.subtasks[{i}]", $"Subtask #{i + 1} of {owner} is null."));
                continue;
            }

            if (string.IsNullOrWhiteSpace(subtask.Id))
            {
                problems.Add(new("subtask.id.missing", $"$.subtasks[{i}]", $"Subtask #{i + 1} of {owner} has no id; give it one such as \"build\"."));
                continue;
            }

            var name = Qualified(path, subtask.Id);
            var target = $"subtask '{name}'";
            if (!DecompositionIds.IsValidSubtaskId(subtask.Id))
            {
                problems.Add(new("subtask.id.invalid", target,
                    $"Subtask id '{name}' is invalid: it becomes a node id, so use letters, digits, '-' and '_', at most {DecompositionIds.MaxSubtaskIdLength} characters, not starting with '-'."));
            }
            else if (DecompositionIds.IsReserved(subtask.Id))
            {
                problems.Add(new("subtask.id.reserved", target,
                    $"Subtask id '{name}' is reserved for a node of the generated graph ({DecompositionIds.Start}, {DecompositionIds.Join}, {DecompositionIds.Aggregate}); rename the subtask."));
            }

            if (!ids.Add(subtask.Id))
            {
                problems.Add(new("subtask.id.duplicate", target, $"Subtask id '{name}' is used more than once; subtask ids must be unique within their task."));
            }

            if (string.IsNullOrWhiteSpace(subtask.Description))
            {
                problems.Add(new("subtask.description.empty", target, $"Subtask '{name}' has no description; say what it should do."));
            }

            if (ComplexityProblem(subtask.Complexity, $"Subtask '{name}'", target, limits) is { } complexity)
            {
                problems.Add(complexity);
            }

            if (!double.IsFinite(subtask.Weight) || subtask.Weight < 0)
            {
                problems.Add(new("subtask.weight.invalid", target, $"Subtask '{name}' has weight {subtask.Weight.ToString(CultureInfo.InvariantCulture)}; a weight is a finite number, 0 or more."));
            }

            CheckRunner(subtask, name, target, problems);
        }

        CheckDependencies(subtasks, path, ids, problems);

        if (options.Aggregation == AggregationMode.Weighted && subtasks.Count > 0 && subtasks.All(s => s is not null && s.Weight == 0))
        {
            problems.Add(new("subtask.weight.zero", path is null ? "$.subtasks" : $"subtask '{path}'",
                $"Every subtask of {owner} has weight 0, so a weighted aggregation has nothing to weigh; give at least one subtask a positive weight."));
        }

        return problems;
    }

    /// <summary>At most one of command, script, tool and workflow, each well formed, and the members that go with them.</summary>
    private static void CheckRunner(Subtask subtask, string name, string target, List<ValidationProblem> problems)
    {
        var said = new List<string>();
        if (subtask.Command is not null)
        {
            said.Add("command");
        }

        if (subtask.Script is not null)
        {
            said.Add("script");
        }

        if (subtask.Tool is not null)
        {
            said.Add("tool");
        }

        if (subtask.Workflow is not null)
        {
            said.Add("workflow");
        }

        if (said.Count > 1)
        {
            problems.Add(new("subtask.runner.conflict", target,
                $"Subtask '{name}' has {string.Join(" and ", said)}; a subtask runs one thing: a command, a script, a tool or a workflow."));
        }

        if (subtask.Command is { } command && (command.Count == 0 || command.Any(string.IsNullOrWhiteSpace)))
        {
            problems.Add(new("subtask.command.invalid", target,
                $"Subtask '{name}' has a command with {(command.Count == 0 ? "no program" : "an empty part")}; write the program and its arguments, such as [\"dotnet\", \"test\"]."));
        }

        if (subtask.Script is { } script && string.IsNullOrWhiteSpace(script))
        {
            problems.Add(new("subtask.script.empty", target, $"Subtask '{name}' has an empty script; write the shell commands to run."));
        }

        if (subtask.Tool is { } tool && string.IsNullOrWhiteSpace(tool))
        {
            problems.Add(new("subtask.tool.empty", target, $"Subtask '{name}' has an empty tool; name the MCP tool to call, such as \"memory.create_entities\"."));
        }

        if (subtask.Arguments is not null && subtask.Tool is null)
        {
            problems.Add(new("subtask.arguments.without-tool", target, $"Subtask '{name}' has arguments but no tool; arguments are passed to the tool a subtask calls."));
        }

        if (subtask.Workflow is { } workflow && !DecompositionIds.IsValidDefinitionId(workflow))
        {
            problems.Add(new("subtask.workflow.invalid", target,
                $"Subtask '{name}' runs workflow '{workflow}', which is not a definition id (letters, digits, '_', '.' and '-', at most {DecompositionIds.MaxDefinitionIdLength} characters)."));
        }

        if (subtask.Workspace is not null && subtask.Command is null && subtask.Script is null)
        {
            problems.Add(new("subtask.workspace.unused", target,
                $"Subtask '{name}' has a workspace but no command or script; a workspace is where a command or script runs."));
        }

        if (subtask.Tier is { } tier && tier is < 1 or > 4)
        {
            problems.Add(new("subtask.tier.invalid", target, $"Subtask '{name}' has tier {tier}; a tier is 1 (critical) to 4 (support)."));
        }
    }

    /// <summary>Kahn's algorithm: cheap, so that naming a cycle (Tarjan) is paid for only when there is one.</summary>
    private static bool HasCycle(Dictionary<string, List<string>> needs)
    {
        var waiting = new Dictionary<string, int>(needs.Count, StringComparer.Ordinal);
        var neededBy = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var ready = new Stack<string>();
        foreach (var (id, dependencies) in needs)
        {
            waiting[id] = dependencies.Count;
            if (dependencies.Count == 0)
            {
                ready.Push(id);
            }

            foreach (var dependency in dependencies)
            {
                (neededBy.TryGetValue(dependency, out var list) ? list : neededBy[dependency] = []).Add(id);
            }
        }

        if (neededBy.Count == 0)
        {
            return false;
        }

        var done = 0;
        while (ready.TryPop(out var id))
        {
            done++;
            foreach (var dependent in neededBy.GetValueOrDefault(id) ?? [])
            {
                if (--waiting[dependent] == 0)
                {
                    ready.Push(dependent);
                }
            }
        }

        return done < needs.Count;
    }

    public static ValidationProblem? ComplexityProblem(int complexity, string what, string target, WorkflowLimits limits) =>
        complexity > limits.MaxComplexity
            ? new("limit.complexity", target, $"{what} has complexity {complexity}, more than maxComplexity ({limits.MaxComplexity}).")
            : complexity < 0
                ? new("complexity.invalid", target, $"{what} has complexity {complexity}; complexity is 0 to maxComplexity ({limits.MaxComplexity}).")
                : null;

    public static string Qualified(string? path, string id) => path is null ? id : path + "/" + id;

    private static void CheckDependencies(IReadOnlyList<Subtask?> subtasks, string? path, HashSet<string> ids, List<ValidationProblem> problems)
    {
        var needs = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var subtask in subtasks)
        {
            if (subtask is null || string.IsNullOrWhiteSpace(subtask.Id) || needs.ContainsKey(subtask.Id))
            {
                continue;
            }

            var name = Qualified(path, subtask.Id);
            var known = new List<string>();
            foreach (var dependency in subtask.Dependencies ?? [])
            {
                if (dependency == subtask.Id)
                {
                    problems.Add(new("subtask.dependency.self", $"subtask '{name}'", $"Subtask '{name}' depends on itself; remove '{dependency}' from its dependencies."));
                }
                else if (dependency is null || !ids.Contains(dependency))
                {
                    problems.Add(new("subtask.dependency.unknown", $"subtask '{name}'",
                        $"Subtask '{name}' depends on '{dependency}', which is not a subtask of the same task; known ids: {string.Join(", ", ids.Order(StringComparer.Ordinal))}."));
                }
                else if (!known.Contains(dependency))
                {
                    known.Add(dependency);
                }
            }

            needs[subtask.Id] = known;
        }

        if (!HasCycle(needs))
        {
            return;
        }

        foreach (var cycle in Validation.GraphCycles.Find(needs))
        {
            var names = cycle.Append(cycle[0]).Select(id => $"'{Qualified(path, id)}'");
            problems.Add(new("subtask.dependency.cycle", $"subtask '{Qualified(path, cycle[0])}'",
                $"Subtasks depend on each other in a cycle: {string.Join(" -> ", names)} (each needs the next); remove one of these dependencies."));
        }
    }
}
