using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Decomposition;

/// <summary>
/// Works out which definitions to generate, without doing any I/O itself: it asks for the
/// subtasks it needs one <see cref="ProposalRequest"/> at a time, so that the same rules serve
/// the pure built-in decomposer and an asynchronous one (an MCP tool, say).
/// </summary>
/// <remarks>
/// Auto has to see whether a subtask above the threshold really splits before it can choose
/// recursive, so it first asks only for the root's complex subtasks, parks the child levels
/// they produce, and goes deeper only once it has chosen recursive.
/// </remarks>
internal sealed class DecompositionPlanner
{
    private readonly DecompositionOptions _options;
    private readonly List<ValidationProblem> _problems = [];
    private readonly Queue<ProposalRequest> _requests = new();
    private readonly List<PlanLevel> _parked = [];
    private readonly PlanLevel? _root;
    private DecompositionStrategy _strategy;

    public DecompositionPlanner(DecompositionTask task, DecompositionOptions options)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _strategy = options.Strategy;
        foreach (var problem in options.Problems())
        {
            _problems.Add(new("options.invalid", "options", $"The decomposition options are invalid: {problem}"));
        }

        if (_problems.Count == 0)
        {
            CheckTask(task);
        }

        if (_problems.Count > 0)
        {
            return;
        }

        _root = new PlanLevel(task.Id, null, 0, task);
        if (task.Subtasks is { Count: > 0 } subtasks)
        {
            TakeSubtasks(_root, subtasks);
        }
        else
        {
            _requests.Enqueue(new ProposalRequest(_root, null, task, 0));
        }
    }

    /// <summary>The next task whose subtasks are needed, or null when the plan is complete.</summary>
    public ProposalRequest? Next()
    {
        if (_requests.Count == 0 && _strategy == DecompositionStrategy.Auto && _root is { Subtasks.Count: > 0 })
        {
            Decide();
        }

        return _requests.TryPeek(out var request) ? request : null;
    }

    /// <summary>Takes the subtasks proposed for the request <see cref="Next"/> returned.</summary>
    public void Accept(ProposalRequest request, IReadOnlyList<Subtask>? proposed)
    {
        if (!_requests.TryPeek(out var expected) || !ReferenceEquals(expected, request))
        {
            throw new InvalidOperationException("Accept answers the request that Next returned, once.");
        }

        _requests.Dequeue();
        proposed ??= [];
        if (request.Subtask is null)
        {
            if (proposed.Count == 0)
            {
                _problems.Add(new("task.no-subtasks", "$.description", $"{request.Level.Owner}: no subtasks were proposed for its description; list the subtasks explicitly."));
                return;
            }

            TakeSubtasks(request.Level, proposed);
            return;
        }

        // Fewer than two proposals: the subtask cannot be split, so it stays one node.
        if (proposed.Count < 2)
        {
            return;
        }

        var parent = request.Level;
        var subtask = request.Subtask;
        var path = SubtaskChecks.Qualified(parent.Path, subtask.Id);
        var target = $"subtask '{path}'";
        if (request.Depth > _options.Limits.MaxDepth)
        {
            _problems.Add(new("limit.depth", target,
                $"Subtask '{path}' has complexity {subtask.Complexity}, above the recursion threshold ({_options.RecursionThreshold}), and splits into {proposed.Count} subtasks, " +
                $"but its child workflow would nest {request.Depth} levels deep, more than max_depth ({_options.Limits.MaxDepth}); raise the threshold, simplify the subtask or raise max_depth."));
            return;
        }

        if (request.Task.Id.Length > DecompositionIds.MaxDefinitionIdLength)
        {
            _problems.Add(new("subtask.id.too-long", target,
                $"Subtask '{path}' would run as child workflow '{request.Task.Id}', whose id has {request.Task.Id.Length} characters, more than {DecompositionIds.MaxDefinitionIdLength}; use shorter task or subtask ids."));
            return;
        }

        var child = new PlanLevel(request.Task.Id, path, request.Depth, request.Task);
        if (TakeSubtasks(child, proposed))
        {
            parent.Children[subtask.Id] = child;
        }
    }

    public DecompositionResult Finish()
    {
        if (_requests.Count > 0)
        {
            throw new InvalidOperationException("The plan is not complete: answer every request Next returns first.");
        }

        if (_problems.Count > 0 || _root is null)
        {
            return DecompositionResult.Failed(_problems, _root?.Subtasks ?? []);
        }

        var definitions = new List<WorkflowDefinition>();
        Build(_root, definitions);
        return DecompositionResult.Success(_strategy, _root.Subtasks, definitions, Reason());
    }

    private string Reason()
    {
        if (_options.Strategy != DecompositionStrategy.Auto)
        {
            return $"{_strategy}: the strategy was asked for.";
        }

        if (_strategy == DecompositionStrategy.Recursive)
        {
            var split = string.Join(", ", _root!.Children.Keys.Order(StringComparer.Ordinal));
            return $"Recursive: subtasks above the recursion threshold ({_options.RecursionThreshold}) split further and run as child workflows ({split}).";
        }

        return LayoutRule.Explain(_root!.Subtasks);
    }

    private void Build(PlanLevel level, List<WorkflowDefinition> definitions)
    {
        foreach (var subtask in level.Subtasks)
        {
            if (level.Children.TryGetValue(subtask.Id, out var child))
            {
                Build(child, definitions);
            }
        }

        var layout = _strategy == DecompositionStrategy.Recursive ? LayoutRule.Choose(level.Subtasks) : _strategy;
        definitions.Add(DefinitionBuilder.Build(level, layout, _options));
    }

    private void CheckTask(DecompositionTask task)
    {
        if (string.IsNullOrWhiteSpace(task.Id))
        {
            _problems.Add(new("task.id.missing", "$.id", "The task has no id; give it one such as \"release-1.2\". It becomes the workflow definition id."));
        }
        else if (!DecompositionIds.IsValidDefinitionId(task.Id))
        {
            _problems.Add(new("task.id.invalid", "$.id",
                $"Task id '{task.Id}' is invalid: it becomes the workflow definition id, so use letters, digits, '-', '_' and '.', at most {DecompositionIds.MaxDefinitionIdLength} characters, not starting with '-' or '.'."));
        }

        if (SubtaskChecks.ComplexityProblem(task.Complexity, $"Task '{task.Id}'", "$.complexity", _options.Limits) is { } complexity)
        {
            _problems.Add(complexity);
        }

        if (string.IsNullOrWhiteSpace(task.Description) && task.Subtasks is not { Count: > 0 })
        {
            _problems.Add(new("task.empty", "$.description", $"Task '{task.Id}' has no description and no subtasks; describe the task or list its subtasks."));
        }
    }

    /// <summary>Checks and keeps a level's subtasks; false when they break a rule.</summary>
    private bool TakeSubtasks(PlanLevel level, IReadOnlyList<Subtask?> subtasks)
    {
        var problems = SubtaskChecks.Check(subtasks, level.Owner, level.Path, _options);
        if (problems.Count > 0)
        {
            _problems.AddRange(problems);
            return false;
        }

        level.Subtasks = subtasks.Select(s => s! with
        {
            Dependencies = (s.Dependencies ?? []).Distinct(StringComparer.Ordinal).ToArray(),
            ToolHints = (s.ToolHints ?? []).Where(h => !string.IsNullOrWhiteSpace(h)).ToArray(),
        }).ToArray();

        if (_strategy == DecompositionStrategy.Recursive || (_strategy == DecompositionStrategy.Auto && level == _root))
        {
            RequestExpansions(level);
        }
        else if (_strategy == DecompositionStrategy.Auto)
        {
            _parked.Add(level);
        }

        return true;
    }

    private void RequestExpansions(PlanLevel level)
    {
        // A subtask that says what runs (a command, a tool, a workflow) is a leaf, however complex.
        foreach (var subtask in level.Subtasks.Where(s => s.Complexity > _options.RecursionThreshold && s.Runner == SubtaskRunner.Activity))
        {
            var childId = DecompositionIds.Child(level.DefinitionId, subtask.Id);
            var task = new DecompositionTask
            {
                Id = childId,
                Description = subtask.Description,
                Complexity = subtask.Complexity,
                Workspace = level.Task.Workspace,
            };
            _requests.Enqueue(new ProposalRequest(level, subtask, task, level.Depth + 1));
        }
    }

    /// <summary>The auto rule, once every complex subtask of the root has been tried.</summary>
    private void Decide()
    {
        if (_root!.Children.Count > 0)
        {
            _strategy = DecompositionStrategy.Recursive;
            foreach (var level in _parked)
            {
                RequestExpansions(level);
            }
        }
        else
        {
            _strategy = LayoutRule.Choose(_root.Subtasks);
        }

        _parked.Clear();
    }
}
