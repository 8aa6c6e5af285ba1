using System.CommandLine;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Validation;
using TaskFlow.Hooks;

namespace TaskFlow.Server.Cli;

/// <summary>The decomposition options the hook commands share: strategy, aggregation and limits.</summary>
internal sealed class DecompositionArguments
{
    private readonly Option<string?> _strategy = new("--strategy") { Description = "auto (default), parallel, hierarchical, recursive or sequential." };
    private readonly Option<string?> _aggregation = new("--aggregation") { Description = "sequential, parallel or weighted; by default sequential for a sequential plan, parallel otherwise." };
    private readonly Option<int> _maxSubtasks = new("--max-subtasks") { Description = "max_subtasks: most subtasks of one task.", DefaultValueFactory = _ => new WorkflowLimits().MaxSubtasks };
    private readonly Option<int> _maxDepth = new("--max-depth") { Description = "max_depth: most levels of child workflows.", DefaultValueFactory = _ => new WorkflowLimits().MaxDepth };

    public static DecompositionArguments Create()
    {
        var arguments = new DecompositionArguments();
        arguments._strategy.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && DecompositionRequest.ParseStrategy(text) is null)
            {
                r.AddError($"--strategy {text} is not a strategy; use auto, parallel, hierarchical, recursive or sequential.");
            }
        });
        arguments._aggregation.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !SubtaskAggregation.TryParseMode(text, out _))
            {
                r.AddError($"--aggregation {text} is not a mode; use sequential, parallel or weighted.");
            }
        });
        return arguments;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_strategy);
        command.Options.Add(_aggregation);
        command.Options.Add(_maxSubtasks);
        command.Options.Add(_maxDepth);
    }

    public HookOptions Read(ParseResult result)
    {
        AggregationMode? aggregation = SubtaskAggregation.TryParseMode(result.GetValue(_aggregation), out var mode) ? mode : null;
        return new HookOptions
        {
            Strategy = DecompositionRequest.ParseStrategy(result.GetValue(_strategy)) ?? DecompositionStrategy.Auto,
            Aggregation = aggregation,
            Limits = new WorkflowLimits { MaxSubtasks = Math.Max(1, result.GetValue(_maxSubtasks)), MaxDepth = Math.Max(0, result.GetValue(_maxDepth)) },
        };
    }
}
