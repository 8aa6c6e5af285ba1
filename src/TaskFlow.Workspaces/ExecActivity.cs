using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;

namespace TaskFlow.Workspaces;

/// <summary>
/// <c>exec</c>: runs a command in the node's workspace. With scope <c>node</c> (the default) the
/// node gets a workspace of its own, destroyed when the command ends (per the cleanup mode); with
/// scope <c>instance</c> every exec node of the instance shares one, reclaimed once the instance
/// has finished. The policy is the node's <c>workspace</c> (mode, scope, image, limits, cleanup);
/// <c>inputs.workspace</c> is the older place for it, still read when the node has none. A
/// non-zero exit, a timeout, running out of memory or over the disk quota fails the node with that
/// reason, and the node's retry policy applies.
/// </summary>
[Activity("exec", Category = "Workspaces", Description = "Runs a command in an isolated workspace (container or sandboxed process). Output: { workspace, exitCode, stdout, stderr, ... }.")]
public sealed class ExecActivity(WorkspaceManager workspaces, IOptions<WorkspaceOptions> options) : Activity<ExecActivity.Inputs>
{
    private const int StderrTail = 2000;

    protected override async ValueTask<ActivityResult> ExecuteAsync(Inputs inputs, ActivityContext context)
    {
        if (!TryResolvePolicy(context.Workspace, inputs.Workspace, out var policy, out var policyProblem))
        {
            return ActivityResult.Failed(policyProblem, retryable: false);
        }

        inputs.Workspace = policy;
        if (!TryPlan(inputs, modeName: context.Workspace is null ? "isolation" : "mode", options.Value.Limits, out var command, out var timeout, out var request, out var problem))
        {
            return ActivityResult.Failed(problem, retryable: false);
        }

        var shared = string.Equals(inputs.Workspace?.Scope, "instance", StringComparison.OrdinalIgnoreCase);
        request = request with
        {
            Owner = new WorkspaceOwner(context.InstanceId, shared ? null : context.NodeId),
            Key = shared ? $"instance:{context.InstanceId}" : null,
        };

        WorkspaceRecord workspace;
        ExecResult result;
        try
        {
            workspace = await workspaces.CreateAsync(request, context.CancellationToken);
            try
            {
                var environment = inputs.Env?.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!.ToString(), StringComparer.Ordinal);
                using var span = Diagnostics.WorkspaceTracing.StartExec(workspace);
                result = await workspaces.ExecAsync(workspace.Id, new ExecRequest(command, environment, inputs.Stdin, timeout, inputs.MaxOutputBytes ?? ExecRequest.DefaultMaxOutputBytes), context.CancellationToken);
                Diagnostics.WorkspaceTracing.Ended(span, result);
            }
            finally
            {
                if (!shared)
                {
                    // The node's result does not wait for the container to be removed.
                    workspaces.DestroyInBackground(workspace.Id, request.Cleanup);
                }
            }
        }
        catch (WorkspacePathException ex)
        {
            return ActivityResult.Failed(ex.Message, retryable: false);
        }
        catch (WorkspaceException ex)
        {
            // No slot, an engine that is down: another attempt may find things better.
            return ActivityResult.Failed(ex.Message, retryable: true);
        }

        if (result.Termination == ExecTermination.Cancelled && context.CancellationToken.IsCancellationRequested)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
        }

        if (!result.Succeeded)
        {
            var tail = result.Stderr.Length > StderrTail ? "..." + result.Stderr[^StderrTail..] : result.Stderr;
            return ActivityResult.Failed($"'{string.Join(' ', command)}' {result.FailureReason} in workspace {workspace.Id}.{(tail.Trim().Length > 0 ? $" stderr: {tail.Trim()}" : "")}", retryable: true);
        }

        return ActivityResult.Succeeded(new JsonObject
        {
            ["workspace"] = workspace.Id,
            ["isolation"] = workspace.Isolation.ToString().ToLowerInvariant(),
            ["exitCode"] = result.ExitCode,
            ["stdout"] = result.Stdout,
            ["stderr"] = result.Stderr,
            ["stdoutBytes"] = result.StdoutBytes,
            ["stderrBytes"] = result.StderrBytes,
            ["stdoutTruncated"] = result.StdoutTruncated,
            ["stderrTruncated"] = result.StderrTruncated,
            ["durationMs"] = Math.Round(result.Duration.TotalMilliseconds, 1),
        });
    }

    /// <summary>
    /// The one policy the command runs under: the node's <c>workspace</c> when it has one, else the
    /// deprecated <c>inputs.workspace</c>. Both at once is refused rather than merged.
    /// </summary>
    private static bool TryResolvePolicy(Core.Model.WorkspacePolicy? node, WorkspacePolicy? fromInputs, out WorkspacePolicy? policy, out string problem)
    {
        policy = fromInputs;
        problem = "";
        if (node is null)
        {
            return true;
        }

        if (fromInputs is not null)
        {
            problem = "Invalid inputs: the node has a 'workspace' policy and 'inputs.workspace' too; keep the node's 'workspace' only.";
            return false;
        }

        // 'none' is the model's default when 'mode' is left out: exec always isolates, so it means
        // the host's default mode. The deprecated spelling 'isolation' is read when 'mode' is absent.
        var mode = node.Mode.Equals("none", StringComparison.OrdinalIgnoreCase) ? Extension(node, "isolation") : node.Mode;
        LimitsPolicy? limits = null;
        if (node.Limits is { } written)
        {
            try
            {
                limits = written.Deserialize<LimitsPolicy>(JsonSerializerOptions.Web);
            }
            catch (JsonException ex)
            {
                problem = $"Invalid inputs: the node's 'workspace.limits' could not be read: {ex.Message}";
                return false;
            }
        }

        policy = new WorkspacePolicy
        {
            Scope = node.Scope,
            Isolation = mode,
            Image = node.Image,
            Cleanup = Extension(node, "cleanup"),
            Limits = limits,
        };
        return true;
    }

    private static string? Extension(Core.Model.WorkspacePolicy node, string name) =>
        node.Extensions?.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value switch
        {
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
            JsonElement element => element.ToString(),
            string text => text,
            _ => null,
        };

    private static bool TryPlan(Inputs inputs, string modeName, WorkspaceLimits configured, out IReadOnlyList<string> command, out TimeSpan? timeout, out WorkspaceRequest request, out string problem)
    {
        command = [];
        timeout = null;
        request = new WorkspaceRequest();
        var problems = new List<string>();
        if (inputs.Command is { Count: > 0 } given && inputs.Script is { Length: > 0 })
        {
            problems.Add("give either 'command' or 'script', not both");
        }
        else if (inputs.Command is { Count: > 0 } list)
        {
            command = list;
        }
        else if (inputs.Script is { Length: > 0 } script)
        {
            command = ["sh", "-c", script];
        }
        else
        {
            problems.Add("'command' (the program and its arguments) or 'script' (a shell script) is required");
        }

        if (inputs.Timeout is { Length: > 0 } text)
        {
            if (Duration.TryParse(text, out var parsed))
            {
                timeout = parsed;
            }
            else
            {
                problems.Add($"'timeout' is '{text}', which is not a duration (e.g. 30s)");
            }
        }

        var policy = inputs.Workspace ?? new WorkspacePolicy();
        if (policy.Scope is { } scope && !scope.Equals("node", StringComparison.OrdinalIgnoreCase) && !scope.Equals("instance", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"'workspace.scope' is '{scope}'; use node or instance");
        }

        IsolationMode? isolation = null;
        if (policy.Isolation is { } mode)
        {
            if (Enum.TryParse<IsolationMode>(mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            {
                isolation = parsed;
            }
            else
            {
                problems.Add($"'workspace.{modeName}' is '{mode}'; use auto, container, process or vm");
            }
        }

        CleanupMode? cleanup = null;
        if (policy.Cleanup is { } cleanupText)
        {
            if (Enum.TryParse<CleanupMode>(cleanupText, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
            {
                cleanup = parsed;
            }
            else
            {
                problems.Add($"'workspace.cleanup' is '{cleanupText}'; use immediate, lazy or scheduled");
            }
        }

        var limits = policy.Limits is { } wanted ? ToLimits(wanted, configured, problems) : null;
        if (problems.Count > 0)
        {
            problem = "Invalid inputs: " + string.Join("; ", problems) + ".";
            return false;
        }

        request = new WorkspaceRequest(isolation, policy.Image, limits, Cleanup: cleanup);
        problem = "";
        return true;
    }

    /// <summary>The configured limits with the ones the node sets in their place.</summary>
    private static WorkspaceLimits? ToLimits(LimitsPolicy wanted, WorkspaceLimits configured, List<string> problems)
    {
        var limits = configured;
        if (wanted.Memory is { } memory)
        {
            if (ByteSize.TryParse(memory, out var bytes))
            {
                limits = limits with { MemoryBytes = bytes };
            }
            else
            {
                problems.Add($"'workspace.limits.memory' is '{memory}', not a size (e.g. 512m, 2g)");
            }
        }

        if (wanted.Disk is { } disk)
        {
            if (ByteSize.TryParse(disk, out var bytes))
            {
                limits = limits with { DiskBytes = bytes };
            }
            else
            {
                problems.Add($"'workspace.limits.disk' is '{disk}', not a size (e.g. 100m, 10g)");
            }
        }

        limits = limits with
        {
            Cpus = wanted.Cpus ?? limits.Cpus,
            Pids = wanted.Pids ?? limits.Pids,
            Network = wanted.Network ?? false,
        };
        return limits;
    }

    public sealed class Inputs
    {
        [Description("The program and its arguments, run without a shell.")]
        public List<string>? Command { get; set; }

        [Description("A shell script (run with sh -c); instead of 'command'.")]
        public string? Script { get; set; }

        [Description("Environment variables for the command.")]
        public JsonObject? Env { get; set; }

        [Description("Text for the command's standard input.")]
        public string? Stdin { get; set; }

        [Description("How long the command may run, e.g. 5m; 5 minutes when omitted.")]
        public string? Timeout { get; set; }

        [Description("Bytes kept of stdout and of stderr each (1 MiB when omitted).")]
        public int? MaxOutputBytes { get; set; }

        [Description("Deprecated: give the node's 'workspace' instead. { scope: node|instance, isolation: container|process|vm, image, cleanup: immediate|lazy|scheduled, limits: { memory, cpus, pids, disk, network } }.")]
        public WorkspacePolicy? Workspace { get; set; }
    }

    public sealed class WorkspacePolicy
    {
        public string? Scope { get; set; }

        /// <summary>The node-level <c>mode</c>, spelled <c>isolation</c> in the deprecated <c>inputs.workspace</c>.</summary>
        public string? Isolation { get; set; }

        public string? Image { get; set; }

        public string? Cleanup { get; set; }

        public LimitsPolicy? Limits { get; set; }
    }

    public sealed class LimitsPolicy
    {
        public string? Memory { get; set; }

        public double? Cpus { get; set; }

        public int? Pids { get; set; }

        public string? Disk { get; set; }

        public bool? Network { get; set; }
    }
}
