using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Validation;

/// <summary>
/// Checks a definition and returns every problem at once, each naming the node or edge it is
/// about. Pure: the activity catalog and the lookup of child workflows are passed in.
/// </summary>
public sealed partial class WorkflowValidator(
    IReadOnlyDictionary<string, ActivityDescriptor> activities,
    WorkflowLimits limits,
    Func<string, WorkflowDefinition?>? resolveWorkflow = null)
{
    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    // Only trigger types something serves: a definition must not promise a way in that nothing
    // acts on. `http` triggers are served by the server at /workflows/{path}.
    private static readonly HashSet<string> TriggerTypes = ["manual", "cron", "http"];
    private static readonly HashSet<string> TriggerAuth = ["apiKey", "none", "hmac"];
    private static readonly HashSet<string> WorkspaceModes = ["none", "auto", "process", "container", "vm"];
    private static readonly HashSet<string> WorkspaceScopes = ["node", "instance"];

    /// <summary>Members of a node's <c>workspace</c> beyond mode, scope, image and limits; <c>isolation</c> is the deprecated spelling of <c>mode</c>.</summary>
    private static readonly HashSet<string> WorkspaceExtras = ["cleanup", "isolation"];

    private static readonly HashSet<string> WorkspaceLimitNames = ["memory", "cpus", "pids", "disk", "network"];
    private static readonly HashSet<string> InputTypes = ["string", "number", "integer", "boolean", "object", "array", "any"];

    /// <summary>Parses and validates a JSON document.</summary>
    public IReadOnlyList<ValidationProblem> Validate(string json, out WorkflowDefinition? definition)
    {
        definition = Serialization.WorkflowJson.TryParse(json, out var problem);
        return definition is null ? [problem!] : Validate(definition);
    }

    /// <summary>
    /// What a definition allows but probably does not mean: warnings, which never stop a save.
    /// <c>node.http.respond.untriggered</c>: an <c>http.respond</c> in a workflow without an
    /// <c>http</c> trigger (no caller waits for its answer); <c>node.workspace.deprecated</c>: a
    /// workspace written in the deprecated spelling (<c>isolation</c>, or <c>exec</c>'s
    /// <c>inputs.workspace</c>).
    /// </summary>
    public IReadOnlyList<ValidationProblem> Warnings(WorkflowDefinition definition)
    {
        var warnings = new List<ValidationProblem>();
        var triggered = definition.Triggers.Any(t => t.Type == "http");
        foreach (var node in definition.Nodes)
        {
            var target = $"node '{node.Id}'";
            if (node.Type == "http.respond" && !triggered)
            {
                warnings.Add(new ValidationProblem("node.http.respond.untriggered", target,
                    $"Node '{node.Id}' is http.respond, but the workflow has no http trigger: no caller waits for its answer, which is only recorded in its output."));
            }

            if (node.Workspace?.Extensions?.ContainsKey("isolation") == true)
            {
                warnings.Add(new ValidationProblem("node.workspace.deprecated", target,
                    $"Node '{node.Id}' names its workspace's mode 'isolation', the deprecated spelling; write 'mode'."));
            }

            if (node.Type == "exec" && node.Inputs.ContainsKey("workspace"))
            {
                warnings.Add(new ValidationProblem("node.workspace.deprecated", target,
                    $"Node '{node.Id}' gives its workspace in inputs.workspace, the deprecated form; give it as the node's 'workspace' (mode, scope, image, limits)."));
            }
        }

        return warnings;
    }

    public IReadOnlyList<ValidationProblem> Validate(WorkflowDefinition definition)
    {
        var problems = new List<ValidationProblem>();
        void Add(string code, string target, string message) => problems.Add(new(code, target, message));

        if (string.IsNullOrWhiteSpace(definition.Id))
        {
            Add("definition.id.missing", "$.id", "The definition has no id; give it one such as \"order-fulfilment\".");
        }
        else if (!IdPattern().IsMatch(definition.Id))
        {
            Add("definition.id.invalid", "$.id", $"Definition id '{definition.Id}' is invalid: use letters, digits, '-', '_' and '.', at most 128 characters.");
        }

        foreach (var (name, input) in definition.Inputs)
        {
            if (!InputTypes.Contains(input.Type))
            {
                Add("input.type.unknown", $"input '{name}'", $"Input '{name}' has unknown type '{input.Type}'; use one of {string.Join(", ", InputTypes)}.");
            }
        }

        if (definition.Nodes.Count == 0)
        {
            Add("definition.empty", "$.nodes", "The definition has no nodes; add at least one.");
        }
        else if (definition.Nodes.Count > limits.MaxNodes)
        {
            Add("definition.too-large", "$.nodes", $"The definition has {definition.Nodes.Count} nodes, more than the limit of {limits.MaxNodes}.");
        }

        // WorkflowGraph.Compile parses the output template; a syntax error must surface here, not there.
        foreach (var (path, error) in TemplatedJson.FindErrors(definition.Output, "output"))
        {
            Add("output.template", "$.output", $"The workflow output '{path}' has a template error: {error.Message}");
        }

        var nodes = ValidateNodes(definition, Add);
        ValidateEdges(definition, nodes, Add);
        ValidateTriggers(definition, Add);
        problems.AddRange(HttpTriggers.HttpRouteConflicts.Find(definition, []));
        if (problems.Count == 0 || !problems.Exists(p => p.Code.StartsWith("edge.dangling", StringComparison.Ordinal)))
        {
            ValidateGraphShape(definition, nodes, Add);
        }

        ValidateNesting(definition, Add);
        return problems;
    }

    /// <summary>Validates and throws <see cref="WorkflowValidationException"/> listing every problem.</summary>
    public void EnsureValid(WorkflowDefinition definition)
    {
        var problems = Validate(definition);
        if (problems.Count > 0)
        {
            throw new WorkflowValidationException(problems);
        }
    }

    private Dictionary<string, NodeDefinition> ValidateNodes(WorkflowDefinition definition, Action<string, string, string> add)
    {
        var nodes = new Dictionary<string, NodeDefinition>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Nodes.Count; i++)
        {
            var node = definition.Nodes[i];
            if (string.IsNullOrWhiteSpace(node.Id))
            {
                add("node.id.missing", $"$.nodes[{i}]", $"Node #{i + 1} has no id.");
                continue;
            }

            var target = $"node '{node.Id}'";
            if (!IdPattern().IsMatch(node.Id))
            {
                add("node.id.invalid", target, $"Node id '{node.Id}' is invalid: use letters, digits, '-', '_' and '.', at most 128 characters.");
            }

            if (!nodes.TryAdd(node.Id, node))
            {
                add("node.id.duplicate", target, $"Node id '{node.Id}' is used more than once; node ids must be unique.");
                continue;
            }

            ValidateNode(node, target, add);
        }

        return nodes;
    }

    private void ValidateNode(NodeDefinition node, string target, Action<string, string, string> add)
    {
        if (string.IsNullOrWhiteSpace(node.Type))
        {
            add("node.type.missing", target, $"Node '{node.Id}' has no activity type.");
        }
        else if (!activities.TryGetValue(node.Type, out var descriptor))
        {
            add("node.type.unknown", target, $"Node '{node.Id}' uses unknown activity type '{node.Type}'; known types: {string.Join(", ", activities.Keys.Order(StringComparer.Ordinal))}.");
        }
        else
        {
            ValidateInputs(node.Id, Scripting.JavaScriptActivityInputs.Normalize(node.Type, node.Inputs), descriptor, target, add);
            ValidateSpecialActivity(node, target, add);
        }

        if (node.Timeout is not null && (!Duration.TryParse(node.Timeout, out var timeout) || timeout <= TimeSpan.Zero))
        {
            add("node.timeout.invalid", target, $"Node '{node.Id}' has timeout '{node.Timeout}', which is not a positive duration (e.g. 30s, 5m).");
        }

        if (node.Tier is < 1 or > 4)
        {
            add("node.tier.invalid", target, $"Node '{node.Id}' has tier {node.Tier}; tiers are 1 (critical) to 4 (support).");
        }

        if (node.Retry is { } retry)
        {
            if (retry.MaxAttempts is < 1 or > 100)
            {
                add("node.retry.invalid", target, $"Node '{node.Id}' has retry.maxAttempts {retry.MaxAttempts}; use 1 to 100.");
            }

            if (retry.Backoff is not ("exponential" or "fixed"))
            {
                add("node.retry.invalid", target, $"Node '{node.Id}' has retry.backoff '{retry.Backoff}'; use exponential or fixed.");
            }

            if (!Duration.TryParse(retry.Delay, out _) || !Duration.TryParse(retry.MaxDelay, out _))
            {
                add("node.retry.invalid", target, $"Node '{node.Id}' has a retry delay that is not a duration ('{retry.Delay}', '{retry.MaxDelay}').");
            }

            // NaN (the string "NaN" reads as a number) passes both comparisons: test it by name.
            if (double.IsNaN(retry.Factor) || retry.Factor is < 1 or > 10)
            {
                add("node.retry.invalid", target, $"Node '{node.Id}' has retry.factor {retry.Factor}; use 1 to 10.");
            }
        }

        if (node.Workspace is { } workspace)
        {
            if (!WorkspaceModes.Contains(workspace.Mode))
            {
                add("node.workspace.invalid", target, $"Node '{node.Id}' has workspace mode '{workspace.Mode}'; use none, auto, process, container or vm.");
            }

            if (!WorkspaceScopes.Contains(workspace.Scope))
            {
                add("node.workspace.invalid", target, $"Node '{node.Id}' has workspace scope '{workspace.Scope}'; use node or instance.");
            }

            foreach (var name in (workspace.Extensions?.Keys ?? Enumerable.Empty<string>()).Where(n => !WorkspaceExtras.Contains(n)))
            {
                add("node.workspace.invalid", target, $"Node '{node.Id}' has unknown workspace member '{name}'; use mode, scope, image, limits or cleanup.");
            }

            foreach (var name in (workspace.Limits?.Select(p => p.Key) ?? []).Where(n => !WorkspaceLimitNames.Contains(n)))
            {
                add("node.workspace.invalid", target, $"Node '{node.Id}' has unknown workspace limit '{name}'; use memory, cpus, pids, disk or network.");
            }
        }
    }

    private static void ValidateInputs(string nodeId, JsonObject inputs, ActivityDescriptor descriptor, string target, Action<string, string, string> add)
    {
        var known = descriptor.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        foreach (var input in descriptor.Inputs)
        {
            if (input.Required && (!inputs.TryGetPropertyValue(input.Name, out var value) || value is null))
            {
                add("node.input.missing", target, $"Node '{nodeId}' ({descriptor.Type}) is missing required input '{input.Name}'.");
            }
        }

        foreach (var (name, value) in inputs)
        {
            if (!known.TryGetValue(name, out var input))
            {
                add("node.input.unknown", target, $"Node '{nodeId}' ({descriptor.Type}) has unknown input '{name}'; it accepts {(known.Count == 0 ? "no inputs" : string.Join(", ", known.Keys))}.");
                continue;
            }

            foreach (var (path, error) in TemplatedJson.FindErrors(value))
            {
                add("node.input.template", target, $"Node '{nodeId}' input '{name}{(path is "" or "$" ? "" : "." + path.TrimStart('$', '.'))}' has a template error: {error.Message}");
            }

            if (value is not null && !IsTemplate(value) && !MatchesType(value, input.Type))
            {
                add("node.input.type", target, $"Node '{nodeId}' input '{name}' must be {Article(input.Type)} {input.Type}, not {value.GetValueKind().ToString().ToLowerInvariant()}.");
            }
            else if (input.AllowedValues is { Count: > 0 } allowed && value is JsonValue v && v.TryGetValue<string>(out var text) && !IsTemplate(value) && !allowed.Contains(text))
            {
                add("node.input.value", target, $"Node '{nodeId}' input '{name}' is '{text}'; use one of {string.Join(", ", allowed)}.");
            }
        }
    }

    private void ValidateSpecialActivity(NodeDefinition node, string target, Action<string, string, string> add)
    {
        switch (node.Type)
        {
            case BuiltInActivities.Delay:
                var hasDuration = node.Inputs["duration"] is not null;
                var hasUntil = node.Inputs["until"] is not null;
                if (hasDuration == hasUntil)
                {
                    add("node.input.missing", target, $"Node '{node.Id}' (delay) needs exactly one of 'duration' or 'until'.");
                }
                else if (node.Inputs["duration"] is JsonValue d && d.TryGetValue<string>(out var text) && !IsTemplate(d) && !Duration.TryParse(text, out _))
                {
                    add("node.input.value", target, $"Node '{node.Id}' (delay) has duration '{text}', which is not a duration (e.g. 30s, 5m).");
                }

                break;
            case BuiltInActivities.Join:
                // The join mode is read when the graph is compiled, before any template could be rendered.
                if (node.Inputs["mode"] is { } mode && IsTemplate(mode))
                {
                    add("node.input.value", target, $"Node '{node.Id}' (join) input 'mode' is a template; write WaitAll, WaitAllActive or WaitAny, since the join mode is fixed when the workflow is compiled.");
                }

                break;
            case BuiltInActivities.ForEach:
                if (node.Inputs["body"] is JsonObject body)
                {
                    var bodyType = body["type"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
                    if (bodyType is null)
                    {
                        add("node.input.missing", target, $"Node '{node.Id}' (foreach) body has no 'type'.");
                    }
                    else if (!activities.TryGetValue(bodyType, out var bodyDescriptor) || bodyType is BuiltInActivities.Join or BuiltInActivities.ForEach)
                    {
                        add("node.type.unknown", target, $"Node '{node.Id}' (foreach) body uses activity type '{bodyType}', which is unknown or cannot be a body.");
                    }
                    else
                    {
                        ValidateInputs(node.Id + " body", Scripting.JavaScriptActivityInputs.Normalize(bodyDescriptor.Type, body["inputs"] as JsonObject ?? []), bodyDescriptor, target, add);
                    }
                }

                if (node.Inputs["maxParallelism"] is JsonValue mp && mp.TryGetValue<int>(out var parallelism) && parallelism < 1)
                {
                    add("node.input.value", target, $"Node '{node.Id}' (foreach) has maxParallelism {parallelism}; use 1 or more.");
                }

                break;
        }
    }

    private void ValidateEdges(WorkflowDefinition definition, Dictionary<string, NodeDefinition> nodes, Action<string, string, string> add)
    {
        var edgeIds = new HashSet<string>(StringComparer.Ordinal);
        var pairs = new HashSet<(string, string, string)>();
        foreach (var edge in definition.Edges)
        {
            var target = $"edge '{edge.DisplayName}'";
            if (edge.Id is not null && !edgeIds.Add(edge.Id))
            {
                add("edge.id.duplicate", target, $"Edge id '{edge.Id}' is used more than once.");
            }

            var fromKnown = nodes.ContainsKey(edge.From);
            var toKnown = nodes.ContainsKey(edge.To);
            if (!fromKnown)
            {
                add("edge.dangling.from", target, $"Edge '{edge.DisplayName}' starts at '{edge.From}', which is not a node of this definition.");
            }

            if (!toKnown)
            {
                add("edge.dangling.to", target, $"Edge '{edge.DisplayName}' ends at '{edge.To}', which is not a node of this definition.");
            }

            if (fromKnown && edge.FromPort is { } port && port != "error" && activities.TryGetValue(nodes[edge.From].Type, out var source)
                && OutcomesOf(nodes[edge.From], source) is { } outcomes && !outcomes.Contains(port))
            {
                add("edge.port.unknown", target, $"Edge '{edge.DisplayName}' leaves '{edge.From}' by port '{port}', which {nodes[edge.From].Type} does not have; its ports are {string.Join(", ", outcomes.Append("error"))}.");
            }

            if (fromKnown && toKnown && edge.From == edge.To && !edge.Loop)
            {
                add("graph.cycle", target, $"Edge '{edge.DisplayName}' loops from '{edge.From}' to itself; mark it \"loop\": true to run the node again, or repeat work with foreach or a child workflow.");
            }

            if (edge.MaxIterations is { } iterations && (!edge.Loop || iterations is < 1 or > MaxLoopIterations))
            {
                add("edge.loop.max-iterations", target, edge.Loop
                    ? $"Edge '{edge.DisplayName}' has maxIterations {iterations}; use 1 to {MaxLoopIterations}."
                    : $"Edge '{edge.DisplayName}' has maxIterations but is not a loop edge; add \"loop\": true or remove maxIterations.");
            }

            if (!pairs.Add((edge.From, edge.To, edge.FromPort ?? ActivityDescriptor.DefaultOutcome)))
            {
                add("edge.duplicate", target, $"Edge '{edge.DisplayName}' repeats another edge between the same nodes and port.");
            }

            if (edge.Condition is not null)
            {
                try
                {
                    TemplateExpression.FromJson(edge.Condition);
                }
                catch (TemplateSyntaxException ex)
                {
                    add("edge.condition.invalid", target, $"Edge '{edge.DisplayName}' has an invalid condition: {ex.Message}");
                }
            }
        }
    }

    private void ValidateGraphShape(WorkflowDefinition definition, Dictionary<string, NodeDefinition> nodes, Action<string, string, string> add)
    {
        var outgoing = nodes.Keys.ToDictionary(k => k, _ => new List<string>(), StringComparer.Ordinal);
        var inbound = nodes.Keys.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        foreach (var edge in definition.Edges.Where(e => nodes.ContainsKey(e.From) && nodes.ContainsKey(e.To) && e.From != e.To && !e.Loop))
        {
            outgoing[edge.From].Add(edge.To);
            inbound[edge.To]++;
        }

        foreach (var (id, node) in nodes)
        {
            if (node.Type == BuiltInActivities.Join && inbound[id] < 2)
            {
                add("join.inbound", $"node '{id}'", $"Join '{id}' has {inbound[id]} inbound edge{(inbound[id] == 1 ? "" : "s")}; a join needs at least two.");
            }

            if (outgoing[id].Count > limits.MaxSubtasks)
            {
                add("limit.fan-out", $"node '{id}'", $"Node '{id}' fans out to {outgoing[id].Count} branches, more than max_subtasks ({limits.MaxSubtasks}); use foreach for large lists.");
            }
        }

        foreach (var cycle in GraphCycles.Find(outgoing))
        {
            add("graph.cycle", $"node '{cycle[0]}'", $"Cycle {string.Join(" -> ", cycle)} -> {cycle[0]}: edges may not form loops; repeat work with foreach or a child workflow.");
        }

        if (nodes.Count > 0 && !inbound.Values.Any(v => v == 0))
        {
            add("graph.no-start", "$.nodes", "No node is free of inbound edges, so the workflow has nowhere to start.");
        }

        ValidateLoops(definition, nodes, outgoing, add);
    }

    /// <summary>The most a loop edge's maxIterations may be.</summary>
    public const int MaxLoopIterations = 100_000;

    /// <summary>
    /// A loop edge goes back to its source or to a node before it; and every node it runs again,
    /// but its target, is reached only from nodes that run again too, or its arrival counts could
    /// never be complete again.
    /// </summary>
    private static void ValidateLoops(WorkflowDefinition definition, Dictionary<string, NodeDefinition> nodes, Dictionary<string, List<string>> outgoing, Action<string, string, string> add)
    {
        var loops = definition.Edges.Where(e => e.Loop && nodes.ContainsKey(e.From) && nodes.ContainsKey(e.To)).ToList();
        if (loops.Count == 0)
        {
            return;
        }

        var sources = nodes.Keys.ToDictionary(k => k, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var (from, targets) in outgoing)
        {
            foreach (var to in targets)
            {
                sources[to].Add(from);
            }
        }

        foreach (var edge in loops)
        {
            var target = $"edge '{edge.DisplayName}'";
            var after = Reachable(edge.To, outgoing);
            if (edge.To != edge.From && !after.Contains(edge.From))
            {
                add("graph.loop.forward", target, $"Loop edge '{edge.DisplayName}' goes from '{edge.From}' to '{edge.To}', which does not come before it; a loop edge goes back to its source or to a node before it.");
                continue;
            }

            var before = Reachable(edge.From, sources);
            var region = new HashSet<string>(after.Where(id => id == edge.From || before.Contains(id)).Append(edge.To).Append(edge.From), StringComparer.Ordinal);
            foreach (var id in region.ToList())
            {
                region.UnionWith(Reachable(id, outgoing));
            }

            foreach (var id in region.Where(id => id != edge.To).OrderBy(id => id, StringComparer.Ordinal))
            {
                if (sources[id].FirstOrDefault(s => !region.Contains(s)) is { } outside)
                {
                    add("graph.loop.join", $"node '{id}'", $"Node '{id}' runs again each time loop edge '{edge.DisplayName}' is taken, but its edge from '{outside}' comes from outside the loop, which does not run again; join the loop with other branches only at its target '{edge.To}', or put the loop in a child workflow.");
                }
            }
        }
    }

    private static HashSet<string> Reachable(string start, Dictionary<string, List<string>> next)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            foreach (var id in next[stack.Pop()])
            {
                if (seen.Add(id))
                {
                    stack.Push(id);
                }
            }
        }

        return seen;
    }

    /// <summary>A node's outcome ports: the catalog's, except an approval's, which are its options (literal) and timeout.</summary>
    private static IReadOnlyList<string>? OutcomesOf(NodeDefinition node, ActivityDescriptor descriptor)
    {
        if (node.Type != BuiltInActivities.Approval || !node.Inputs.TryGetPropertyValue("options", out var options) || options is null)
        {
            return descriptor.Outcomes;
        }

        // Options from a template are known only at run time: any port may be meant.
        return options is System.Text.Json.Nodes.JsonArray list && list.All(o => o is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var text) && !text.Contains("{{", StringComparison.Ordinal))
            ? [.. list.Select(o => o!.GetValue<string>()), BuiltInActivities.TimeoutOutcome]
            : null;
    }

    private static void ValidateTriggers(WorkflowDefinition definition, Action<string, string, string> add)
    {
        for (var i = 0; i < definition.Triggers.Count; i++)
        {
            var trigger = definition.Triggers[i];
            var target = $"trigger #{i + 1}";
            if (trigger.Type == "hook")
            {
                add("trigger.type.unserved", target, $"Trigger #{i + 1} has type 'hook', which nothing serves: Claude Code hook events go to 'taskflow hook', not to a definition. Remove the trigger; to resume a workflow from a hook, post an event to /api/events/{{name}}.");
            }
            else if (!TriggerTypes.Contains(trigger.Type))
            {
                add("trigger.type.unknown", target, $"Trigger #{i + 1} has unknown type '{trigger.Type}'; use manual, cron or http.");
            }
            else if (trigger.Type == "http")
            {
                ValidateHttpTrigger(trigger, i, target, add);
            }
            else if (trigger.Type == "cron")
            {
                var fields = trigger.Cron?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length ?? 0;
                if (fields is not (5 or 6))
                {
                    add("trigger.cron.invalid", target, $"Trigger #{i + 1} has cron '{trigger.Cron}'; write five fields (minute hour day month weekday) or six (with seconds first).");
                }
                else if (CronError(trigger.Cron!, fields) is { } error)
                {
                    add("trigger.cron.invalid", target, $"Trigger #{i + 1} has cron '{trigger.Cron}', which does not parse: {error}");
                }

                if (trigger.TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(trigger.TimeZone, out _))
                {
                    add("trigger.timezone.unknown", target, $"Trigger #{i + 1} has unknown time zone '{trigger.TimeZone}'; use an IANA name such as Europe/Berlin.");
                }
            }
        }
    }

    private static void ValidateHttpTrigger(TriggerDefinition trigger, int i, string target, Action<string, string, string> add)
    {
        if (HttpTriggers.HttpRoute.TryParse(trigger.Path, out var routeError) is null)
        {
            add("trigger.http.path", target, $"Trigger #{i + 1} has path '{trigger.Path}', which is not a route: {routeError}.");
        }

        foreach (var method in trigger.Methods ?? [])
        {
            if (!HttpTriggers.HttpRoute.AllowedMethods.Contains(method))
            {
                add("trigger.http.method", target, $"Trigger #{i + 1} has method '{method}'; use {string.Join(", ", HttpTriggers.HttpRoute.AllowedMethods)} (upper case).");
            }
        }

        if (trigger.Methods is { Count: 0 })
        {
            add("trigger.http.method", target, $"Trigger #{i + 1} has an empty 'methods' list; leave it out for POST or name the methods.");
        }

        if (trigger.Auth is not null && !TriggerAuth.Contains(trigger.Auth))
        {
            add("trigger.http.auth", target, $"Trigger #{i + 1} has auth '{trigger.Auth}'; use apiKey (the default), none or hmac.");
        }

        if (trigger.Auth == "hmac" && string.IsNullOrWhiteSpace(trigger.Secret))
        {
            add("trigger.http.secret", target, $"Trigger #{i + 1} has auth 'hmac' but no 'secret': name the shared secret configured as TaskFlow:HttpTriggers:Secrets:NAME.");
        }
        else if (trigger.Auth != "hmac" && (trigger.Secret is not null || trigger.SignatureHeader is not null))
        {
            add("trigger.http.secret", target, $"Trigger #{i + 1} has 'secret' or 'signatureHeader' without \"auth\": \"hmac\"; set auth to hmac or remove them.");
        }

        if (trigger.Identity is not null && (trigger.Identity.Length is 0 or > 100 || string.IsNullOrWhiteSpace(trigger.Identity)))
        {
            add("trigger.http.identity", target, $"Trigger #{i + 1} has an identity of {trigger.Identity.Length} characters; use 1 to 100, not only spaces.");
        }
        else if (trigger.Identity is not null && (trigger.Auth ?? "apiKey") == "apiKey")
        {
            add("trigger.http.identity", target, $"Trigger #{i + 1} declares identity '{trigger.Identity}' with API key auth, where the caller is the key's name; use it with \"auth\": \"hmac\" or \"none\", or remove it.");
        }

        if (trigger.Wait is not null && (!Duration.TryParse(trigger.Wait, out var wait) || wait <= TimeSpan.Zero))
        {
            add("trigger.http.wait", target, $"Trigger #{i + 1} has wait '{trigger.Wait}', which is not a positive duration such as 30s.");
        }

        if (trigger.Cron is not null || trigger.TimeZone is not null || trigger.Event is not null)
        {
            add("trigger.http.member", target, $"Trigger #{i + 1} is an http trigger with 'cron', 'timeZone' or 'event', which only other trigger types use; remove them.");
        }
    }

    private static string? CronError(string cron, int fields)
    {
        try
        {
            Cronos.CronExpression.Parse(cron, fields == 6 ? Cronos.CronFormat.IncludeSeconds : Cronos.CronFormat.Standard);
            return null;
        }
        catch (Cronos.CronFormatException ex)
        {
            return ex.Message;
        }
    }

    private void ValidateNesting(WorkflowDefinition definition, Action<string, string, string> add)
    {
        // Self-recursion cannot be bounded statically; the runtime stops it at max depth. A chain
        // of distinct child workflows deeper than the limit can never run, so it is refused here.
        foreach (var node in definition.Nodes.Where(n => n.Type == BuiltInActivities.Workflow))
        {
            if (node.Inputs["definitionId"] is not JsonValue v || !v.TryGetValue<string>(out var childId) || IsTemplate(v))
            {
                continue;
            }

            var depth = NestingDepth(childId, [definition.Id], 1);
            if (depth > limits.MaxDepth)
            {
                add("limit.depth", $"node '{node.Id}'", $"Node '{node.Id}' nests child workflows {depth} levels deep through '{childId}', more than max_depth ({limits.MaxDepth}).");
            }
            else if (depth < 0)
            {
                add("workflow.unknown", $"node '{node.Id}'", $"Node '{node.Id}' runs workflow '{childId}', which is not stored.");
            }
        }
    }

    private int NestingDepth(string id, HashSet<string> path, int depth)
    {
        if (path.Contains(id) || depth > limits.MaxDepth || resolveWorkflow is null)
        {
            return depth;
        }

        var child = resolveWorkflow(id);
        if (child is null)
        {
            return depth == 1 ? -1 : depth;
        }

        var deepest = depth;
        path.Add(id);
        foreach (var node in child.Nodes.Where(n => n.Type == BuiltInActivities.Workflow))
        {
            if (node.Inputs["definitionId"] is JsonValue v && v.TryGetValue<string>(out var next) && !IsTemplate(v))
            {
                deepest = Math.Max(deepest, NestingDepth(next, path, depth + 1));
            }
        }

        path.Remove(id);
        return deepest;
    }

    private static bool IsTemplate(JsonNode value) =>
        (value is JsonValue v && v.TryGetValue<string>(out var s) && s.Contains("{{", StringComparison.Ordinal))
        || Scripting.ScriptObject.TryGetJavaScript(value, out _)
        || Scripting.ScriptObject.TryGetLiquid(value, out _);

    private static bool MatchesType(JsonNode value, string type) => type switch
    {
        "string" => value.GetValueKind() == System.Text.Json.JsonValueKind.String,
        "number" => value.GetValueKind() == System.Text.Json.JsonValueKind.Number,
        "integer" => value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<long>(out _),
        "boolean" => value.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        _ => true,
    };

    private static string Article(string type) => type is "integer" or "object" or "array" or "any" ? "an" : "a";
}
