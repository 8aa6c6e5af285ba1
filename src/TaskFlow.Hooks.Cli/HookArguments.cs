using System.Globalization;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Validation;
using TaskFlow.Hooks;

namespace TaskFlow.Hooks.Cli;

/// <summary>
/// The options of <c>taskflow hook</c>, parsed by hand: System.CommandLine would cost start-up time
/// this process exists to save. Same names, same defaults, same messages for bad values.
/// </summary>
internal static class HookArguments
{
    public static bool TryParse(IReadOnlyList<string> args, out HookOptions? options, out string? error)
    {
        var limits = new WorkflowLimits();
        var result = new HookOptions { BlockInvalid = HookOptions.BlockFromEnvironment() };
        options = null;
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = Split(args[i]);
            if (name == "--block-invalid")
            {
                result.BlockInvalid = true;
                continue;
            }

            if (name is not ("--stdin-timeout" or "--strategy" or "--aggregation" or "--max-subtasks" or "--max-depth"))
            {
                error = $"unknown option {args[i]}; taskflow-hook takes --block-invalid, --stdin-timeout S, --strategy S, --aggregation A, --max-subtasks N and --max-depth N.";
                return false;
            }

            var value = inline ?? (i + 1 < args.Count ? args[++i] : null);
            if (value is null)
            {
                error = $"{name} needs a value.";
                return false;
            }

            switch (name)
            {
                case "--stdin-timeout" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds):
                    result.StdinTimeout = TimeSpan.FromSeconds(Math.Max(0.05, seconds));
                    break;
                case "--strategy" when DecompositionRequest.ParseStrategy(value) is { } strategy:
                    result.Strategy = strategy;
                    break;
                case "--strategy":
                    error = $"--strategy {value} is not a strategy; use auto, parallel, hierarchical, recursive or sequential.";
                    return false;
                case "--aggregation" when SubtaskAggregation.TryParseMode(value, out var mode):
                    result.Aggregation = mode;
                    break;
                case "--aggregation":
                    error = $"--aggregation {value} is not a mode; use sequential, parallel or weighted.";
                    return false;
                case "--max-subtasks" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var most):
                    limits.MaxSubtasks = Math.Max(1, most);
                    break;
                case "--max-depth" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var depth):
                    limits.MaxDepth = Math.Max(0, depth);
                    break;
                default:
                    error = $"{name} {value} is not a number.";
                    return false;
            }
        }

        result.Limits = limits;
        options = result;
        return true;
    }

    private static (string Name, string? Value) Split(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }
}
