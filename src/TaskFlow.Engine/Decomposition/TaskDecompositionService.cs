using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Decomposition;

/// <summary>
/// Decomposition as the server offers it: the pure decomposition of TaskFlow.Core under the
/// configured strategies, modes and limits, checked against this engine's activity catalog, then
/// stored and started. The REST API, the task-decomposition MCP server and the hooks share it.
/// </summary>
public sealed class TaskDecompositionService
{
    private readonly WorkflowRuntime _runtime;
    private readonly ActivityCatalog _catalog;
    private readonly WorkflowLimits _engineLimits;
    private readonly TaskDecompositionOptions _options;
    private readonly ITaskDecomposer? _decomposer;
    private readonly ISubtaskToolCatalog? _tools;

    public TaskDecompositionService(WorkflowRuntime runtime, ActivityCatalog catalog, WorkflowLimits engineLimits, IOptions<TaskDecompositionOptions> options, IEnumerable<ITaskDecomposer> decomposers, ISubtaskToolCatalog? tools = null)
    {
        _tools = tools;
        _runtime = runtime;
        _catalog = catalog;
        _engineLimits = engineLimits;
        _options = options.Value;
        _decomposer = decomposers.LastOrDefault();
    }

    public TaskDecompositionOptions Options => _options;

    /// <summary>The limits decompositions are held to: the configured ones, or the engine's.</summary>
    public WorkflowLimits Limits => new()
    {
        MaxSubtasks = _options.MaxSubtasks ?? _engineLimits.MaxSubtasks,
        MaxDepth = _options.MaxDepth ?? _engineLimits.MaxDepth,
        MaxComplexity = _options.MaxComplexity ?? _engineLimits.MaxComplexity,
        MaxForEachItems = _engineLimits.MaxForEachItems,
        MaxNodes = _engineLimits.MaxNodes,
    };

    /// <summary>
    /// Decomposes the request (asking the registered <see cref="ITaskDecomposer"/>, if any, for
    /// subtasks) and validates every generated definition against the activity catalog.
    /// </summary>
    /// <exception cref="DecompositionException">Lists every problem: a refused strategy or mode, a broken rule or limit, an invalid graph.</exception>
    /// <param name="subtaskActivity">The activity of subtasks that do not say what runs them, in place of <c>SubtaskActivity</c> (the hooks ask for <c>agent</c>).</param>
    public async Task<DecompositionResult> DecomposeAsync(DecompositionRequest request, CancellationToken cancellationToken = default, string? subtaskActivity = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var strategy = request.Strategy ?? _options.DefaultStrategy;
        var refused = new List<ValidationProblem>();
        if (!_options.EffectiveStrategies.Contains(strategy))
        {
            refused.Add(new("decomposition.strategy.refused", "strategy",
                $"Strategy '{Name(strategy)}' is not offered here; use {string.Join(", ", _options.EffectiveStrategies.Select(Name))} (TaskFlow:Decomposition:Strategies)."));
        }

        if (request.Aggregation is { } mode && !_options.EffectiveAggregationModes.Contains(mode))
        {
            refused.Add(new("decomposition.aggregation.refused", "aggregation",
                $"Aggregation '{AggregateActivityDescriptor.ModeName(mode)}' is not offered here; use {string.Join(", ", _options.EffectiveAggregationModes.Select(AggregateActivityDescriptor.ModeName))} (TaskFlow:Decomposition:AggregationModes)."));
        }

        if (refused.Count > 0)
        {
            throw new DecompositionException(refused);
        }

        var options = new DecompositionOptions
        {
            Strategy = strategy,
            Aggregation = request.Aggregation,
            RecursionThreshold = Math.Min(_options.RecursionThreshold, Limits.MaxComplexity),
            SubtaskActivity = subtaskActivity ?? _options.SubtaskActivity,
            SubtaskInput = _options.SubtaskInput,
            Limits = Limits,
        };
        var result = _decomposer is null
            ? TaskDecomposition.Decompose(request.Task, options)
            : await TaskDecomposition.DecomposeAsync(request.Task, _decomposer, options, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DecompositionException(result.Problems);
        }

        var problems = result.Validate(_catalog.Descriptors, _engineLimits).ToList();
        problems.AddRange(await UnknownToolsAsync(request.Task.Subtasks, cancellationToken));
        return problems.Count == 0 ? result : throw new DecompositionException(problems);
    }

    /// <summary>Subtask tools that no server of the fleet lists, when the fleet is known; a templated tool is checked when it runs.</summary>
    private async Task<List<ValidationProblem>> UnknownToolsAsync(IReadOnlyList<Subtask> subtasks, CancellationToken cancellationToken)
    {
        var problems = new List<ValidationProblem>();
        var wanted = subtasks.Where(s => s.Tool is { } tool && !tool.Contains("{{", StringComparison.Ordinal)).ToList();
        if (_tools is null || wanted.Count == 0)
        {
            return problems;
        }

        var known = await _tools.ToolNamesAsync(cancellationToken);
        if (known.Count == 0)
        {
            return problems;
        }

        foreach (var subtask in wanted.Where(s => !known.Contains(s.Tool!)))
        {
            var near = known.Where(n => n.EndsWith("." + subtask.Tool, StringComparison.Ordinal) || n.Contains(subtask.Tool!, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).Take(5).ToList();
            problems.Add(new("subtask.tool.unknown", $"subtask '{subtask.Id}'",
                $"Subtask '{subtask.Id}' calls tool '{subtask.Tool}', which no server of the MCP fleet lists" + (near.Count > 0 ? $"; did you mean {string.Join(", ", near)}?" : "; see GET /api/mcp/servers for the fleet's tools.")));
        }

        return problems;
    }

    /// <summary>Stores every definition of a successful decomposition, children first, each as a new published version.</summary>
    public async Task<IReadOnlyList<DefinitionView>> SaveAsync(DecompositionResult result, CancellationToken cancellationToken = default)
    {
        result.EnsureSucceeded();
        var saved = new List<DefinitionView>(result.Definitions.Count);
        foreach (var definition in result.Definitions)
        {
            saved.Add(await _runtime.SaveDefinitionAsync(definition, cancellationToken));
        }

        return saved;
    }

    /// <summary>Stores the definitions and starts the root; returns the instance id.</summary>
    public async Task<string> RunAsync(DecompositionResult result, JsonObject? input = null, CancellationToken cancellationToken = default)
    {
        var saved = await SaveAsync(result, cancellationToken);
        return await _runtime.StartAsync(saved[^1].Id, input, saved[^1].Version, cancellationToken);
    }

    public static string Name(DecompositionStrategy strategy) => strategy.ToString().ToLowerInvariant();
}
