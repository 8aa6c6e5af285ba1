using System.Globalization;
using System.Text.Json.Nodes;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Import;

/// <summary>One Elsa activity into one node, or a small sub-graph for Sequence and Fork.</summary>
internal sealed partial class ElsaConversion
{
    /// <summary>Decision node id → its condition as a TaskFlow expression.</summary>
    private readonly Dictionary<string, string> _decisionConditions = new(StringComparer.Ordinal);

    /// <summary>FlowFork node id → its outcomes, or null when they are only known at run time.</summary>
    private readonly Dictionary<string, HashSet<string>?> _forkBranches = new(StringComparer.Ordinal);

    /// <param name="canTrigger">The activity has no inbound connections in the workflow's own flowchart, so it may be a trigger.</param>
    private ElsaFragment? ConvertActivity(JsonObject activity, string prefix, bool canTrigger)
    {
        var id = ElsaJson.String(activity["id"])!;
        var type = ElsaJson.String(activity["type"]);
        switch (ElsaActivityTypes.Classify(type))
        {
            case ElsaActivityKind.Flowchart:
                return ConvertFlowchart(activity, prefix, nested: true);
            case ElsaActivityKind.Sequence:
                return ConvertSequence(activity, id, type, prefix);
            case ElsaActivityKind.Fork:
                return ConvertFork(activity, id, type, prefix);
            case ElsaActivityKind.Parallel:
                return ConvertFork(activity, id, type, prefix, branchesMember: "activities");
            case ElsaActivityKind.FlowFork:
                var fork = AddNode(activity, prefix, Noop);
                _forkBranches[fork.Id] = ForkBranches(Property(activity, "branches"));
                return ElsaFragment.Single(fork.Id);
            case ElsaActivityKind.FlowJoin:
                return ConvertJoin(activity, id, type, prefix);
            case ElsaActivityKind.FlowDecision:
                return ConvertDecision(activity, id, type, prefix);
            case ElsaActivityKind.WriteLine:
                return ConvertWriteLine(activity, id, type, prefix);
            case ElsaActivityKind.SetVariable:
                return ConvertSetVariable(activity, id, type, prefix);
            case ElsaActivityKind.Delay:
                return ConvertDelay(activity, id, type, prefix);
            case ElsaActivityKind.ExecuteWorkflow or ElsaActivityKind.DispatchWorkflow:
                return ConvertChildWorkflow(activity, id, type, prefix);
            case ElsaActivityKind.Cron:
                return ConvertCron(activity, id, type, prefix, canTrigger);
            case ElsaActivityKind.Start or ElsaActivityKind.End:
                return ElsaFragment.Single(AddNode(activity, prefix, Noop).Id);
            case ElsaActivityKind.Finish:
                // Nothing after a Finish runs: it has no exits, so a sequence or an outer flowchart does not continue from it.
                return ElsaFragment.Terminal(AddNode(activity, prefix, Noop).Id);
            case ElsaActivityKind.HttpEndpoint:
                return ConvertHttpEndpoint(activity, id, type, prefix, canTrigger);
            case ElsaActivityKind.WriteHttpResponse:
                return ConvertWriteHttpResponse(activity, id, type, prefix);
            case ElsaActivityKind.SendHttpRequest or ElsaActivityKind.FlowSendHttpRequest:
                return ConvertSendHttpRequest(activity, id, type, prefix, flow: ElsaActivityTypes.Classify(type) == ElsaActivityKind.FlowSendHttpRequest);
            case ElsaActivityKind.SetOutput:
                return ConvertSetOutput(activity, id, type, prefix);
            case ElsaActivityKind.Complete:
                return ConvertComplete(activity, id, type, prefix);
            case ElsaActivityKind.Fault:
                return ConvertFault(activity, id, type, prefix);
            case ElsaActivityKind.Correlate or ElsaActivityKind.SetName:
                return ConvertLabel(activity, id, type, prefix, ElsaActivityTypes.Classify(type));
            case ElsaActivityKind.FlowNode:
                return ConvertFlowNode(activity, id, type, prefix);
            case ElsaActivityKind.ForEach or ElsaActivityKind.ParallelForEach:
                return ConvertForEach(activity, id, type, prefix, parallel: ElsaActivityTypes.Classify(type) == ElsaActivityKind.ParallelForEach);
            case ElsaActivityKind.For:
                return ConvertFor(activity, id, type, prefix);
            case ElsaActivityKind.Timer:
                return ConvertTimer(activity, id, type, prefix, canTrigger);
            case ElsaActivityKind.StartAt:
                return ConvertStartAt(activity, id, type, prefix, canTrigger);
            case ElsaActivityKind.Event:
                return ConvertEvent(activity, id, type, prefix, canTrigger);
            case ElsaActivityKind.PublishEvent:
                return ConvertPublishEvent(activity, id, type, prefix);
            case ElsaActivityKind.RunTask:
                return ConvertRunTask(activity, id, type, prefix);
            case ElsaActivityKind.RunJavaScript:
                return ConvertRunJavaScript(activity, id, type, prefix);
            case ElsaActivityKind.RunCSharp:
                return ConvertRunCSharp(activity, id, type, prefix);
            case ElsaActivityKind.If:
                return ConvertIf(activity, id, type, prefix);
            case ElsaActivityKind.While:
                return ConvertWhile(activity, id, type, prefix);
            case ElsaActivityKind.Switch:
                return ConvertSwitch(activity, id, type, prefix);
            case ElsaActivityKind.FlowSwitch:
                return ConvertFlowSwitch(activity, id, type, prefix);
            case ElsaActivityKind.Unsupported when context.Resolve(type, ElsaJson.String(activity["workflowDefinitionId"])) is { } reference:
                return ConvertWorkflowActivity(activity, id, type, prefix, reference);
            case ElsaActivityKind.Unsupported when type is not null && type.StartsWith(ElsaAgentPrefix, StringComparison.Ordinal) && type.Length > ElsaAgentPrefix.Length:
                return ConvertElsaAgent(activity, id, type, prefix);
            case ElsaActivityKind.Unsupported when type is "Elsa.Join" or "Join":
                Note(id, type, "'Elsa.Join' is Elsa 2's name for the flowchart join; it is converted as Elsa 3's FlowJoin.");
                return ConvertJoin(activity, id, type, prefix);
            case ElsaActivityKind.Unsupported when IsCustomType(type) && context.Options.CustomActivities == ElsaCustomActivities.Task:
                return ConvertCustomActivity(activity, id, type!, prefix);
            default:
                Problem(id, type, type is null
                    ? "It has no type."
                    : $"'{type}' has no TaskFlow equivalent. Remove it or replace it with a supported activity (see docs/elsa-import.md), then export again." +
                      (IsCustomType(type)
                          ? " If your project defines it in code, import with custom activities as tasks (taskflow import-elsa --custom-activities task, or ?customActivities=task) and complete it from your own service."
                          : ""));
                return null;
        }
    }

    private ElsaFragment? ConvertSequence(JsonObject activity, string id, string? type, string prefix)
    {
        var childPrefix = ChildPrefix(prefix, id);
        var steps = ChildActivities(activity["activities"], id, type, "activities").Select(a => ConvertActivity(a, childPrefix, canTrigger: false)).ToList();
        if (steps.Any(s => s is null))
        {
            return null;
        }

        if (steps.Count == 0)
        {
            return ElsaFragment.Single(AddNode(activity, prefix, Noop).Id);
        }

        for (var i = 1; i < steps.Count; i++)
        {
            Connect(steps[i - 1]!.Exits, steps[i]!.Entries);
        }

        return new ElsaFragment(steps[0]!.Entries, steps[^1]!.Exits);
    }

    //   fork ──> branch 1 ──┐
    //        └─> branch 2 ──┴──> <fork>.join (joinMode)
    /// <summary>Fork (its <c>branches</c>, joined per its joinMode) and Parallel (its <c>activities</c>, all awaited): a noop fanning out to each and a join.</summary>
    private ElsaFragment? ConvertFork(JsonObject activity, string id, string? type, string prefix, string branchesMember = "branches")
    {
        var joinMode = branchesMember == "branches" ? Property(activity, "joinMode") : null;
        var mode = joinMode is null ? "WaitAll" : joinMode.Is(ElsaExpression.Literal) ? JoinModeName(joinMode.Value) : null;
        if (mode is null)
        {
            Problem(id, type, $"Its joinMode {Excerpt(joinMode!.Text)} is not WaitAll or WaitAny.");
        }

        // The fork node first, so that the nodes read in flow order; a failed import discards it anyway.
        var fork = AddNode(activity, prefix, Noop);
        var childPrefix = ChildPrefix(prefix, id);
        var branches = ChildActivities(activity[branchesMember], id, type, branchesMember).Select(a => ConvertActivity(a, childPrefix, canTrigger: false)).ToList();
        if (mode is null || branches.Any(b => b is null))
        {
            return null;
        }

        if (branches.Count == 0)
        {
            return ElsaFragment.Single(fork.Id);
        }

        var join = AddNode(activity, prefix, Join, new JsonObject { ["mode"] = mode }, suffix: "join");
        foreach (var branch in branches)
        {
            Connect([fork.Id], branch!.Entries);
            Connect(branch.Exits, [join.Id]);
        }

        return new ElsaFragment([fork.Id], [join.Id]);
    }

    private ElsaFragment? ConvertJoin(JsonObject activity, string id, string? type, string prefix)
    {
        var expression = Property(activity, "mode");
        string? mode;
        if (expression is null)
        {
            mode = "WaitAny";
            Note(id, type, "it has no mode; Elsa's default for FlowJoin, WaitAny, is used.");
        }
        else
        {
            mode = expression.Is(ElsaExpression.Literal) ? JoinModeName(expression.Value) : null;
            if (mode is null)
            {
                Problem(id, type, $"Its mode {Excerpt(expression.Text)} is not WaitAll, WaitAllActive or WaitAny; TaskFlow fixes the join mode when the workflow is compiled, so it must be written literally.");
                return null;
            }
        }

        return ElsaFragment.Single(AddNode(activity, prefix, Join, new JsonObject { ["mode"] = mode }).Id);
    }

    private ElsaFragment? ConvertDecision(JsonObject activity, string id, string? type, string prefix)
    {
        var condition = DecisionCondition(activity, "condition", id, type);
        if (condition is null)
        {
            return null;
        }

        var node = AddNode(activity, prefix, Noop);
        _decisionConditions[node.Id] = condition;
        return ElsaFragment.Single(node.Id);
    }

    private ElsaFragment ConvertWriteLine(JsonObject activity, string id, string? type, string prefix)
    {
        var text = Property(activity, "text");
        JsonNode? message = JsonValue.Create("");
        if (text is not null && !TryValue(text, ValueShape.Text, out message))
        {
            message = JsonValue.Create(ElsaJson.EscapeTemplate(text.Text));
            Note(id, type, $"its text is the {text.Language} expression {Excerpt(text.Text)}, which cannot be translated; the log message is that source text. Rewrite it as a template.");
        }

        return ElsaFragment.Single(AddNode(activity, prefix, Log, new JsonObject { ["message"] = message }).Id);
    }

    private ElsaFragment? ConvertSetVariable(JsonObject activity, string id, string? type, string prefix)
    {
        var name = _names.ResolveVariable(activity["variable"]);
        if (name is null)
        {
            Problem(id, type, "It does not name a variable of this workflow ('variable' is missing or refers to an unknown variable id). Pick the variable in Elsa Studio and export again.");
            return null;
        }

        _variables.TryAdd(name, null);
        var expression = Property(activity, "value");
        JsonNode? value = null;
        if (expression is not null && !TryValue(expression, ValueShape.Any, out value))
        {
            value = JsonValue.Create(ElsaJson.EscapeTemplate(expression.Text));
            Note(id, type, $"its value is the {expression.Language} expression {Excerpt(expression.Text)}, which cannot be translated; the variable '{name}' is set to that source text. Rewrite it as a template.");
        }

        // 'value' is required; a literal null would read as missing, a placeholder does not.
        return ElsaFragment.Single(AddNode(activity, prefix, SetVariable, new JsonObject { ["name"] = ElsaJson.EscapeTemplate(name), ["value"] = value ?? JsonValue.Create("{{ null }}") }).Id);
    }

    private ElsaFragment? ConvertDelay(JsonObject activity, string id, string? type, string prefix)
    {
        var expression = Property(activity, "timeSpan") ?? Property(activity, "duration");
        JsonNode? duration = null;
        if (expression is null)
        {
            Problem(id, type, "It has no time span. Set one such as 00:05:00 and export again.");
            return null;
        }

        if (expression.Is(ElsaExpression.Literal) || expression.Is(ElsaExpression.Object))
        {
            // Read as .NET reads a TimeSpan ("5" is five days there, five seconds in TaskFlow), then write it unambiguously.
            if (!TimeSpan.TryParse(expression.Text, CultureInfo.InvariantCulture, out var span) || span < TimeSpan.Zero || !Duration.TryParse(span.ToString("c", CultureInfo.InvariantCulture), out _))
            {
                Problem(id, type, $"Its time span {Excerpt(expression.Text)} is not a .NET time span such as 00:05:00.");
                return null;
            }

            duration = JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture));
        }
        else if (!TryConvertValue(expression, ValueShape.Any, out duration))
        {
            Problem(id, type, $"Its time span is the {expression.Language} expression {Excerpt(expression.Text)}, which cannot be translated. Write the time span literally, such as 00:05:00.");
            return null;
        }

        return ElsaFragment.Single(AddNode(activity, prefix, Delay, new JsonObject { ["duration"] = duration }).Id);
    }

    private ElsaFragment? ConvertChildWorkflow(JsonObject activity, string id, string? type, string prefix)
    {
        var target = Property(activity, "workflowDefinitionId");
        JsonNode? definitionId = null;
        if (target is not null && target.Is(ElsaExpression.Literal))
        {
            if (ElsaIds.Sanitize(target.Text) is { } childId)
            {
                definitionId = JsonValue.Create(childId);
                if (childId != target.Text)
                {
                    Note(id, type, $"the child workflow id '{target.Text}' is not a valid TaskFlow id; the node runs '{childId}', the id an import of that workflow gets.");
                }
            }
        }
        else if (target is not null)
        {
            TryConvertValue(target, ValueShape.Text, out definitionId);
        }

        if (definitionId is null)
        {
            Problem(id, type, target is null
                ? "It does not name the workflow to run (workflowDefinitionId is empty)."
                : $"Its workflowDefinitionId is the {target.Language} expression {Excerpt(target.Text)}, which cannot be translated. Name the child workflow literally.");
            return null;
        }

        var inputs = new JsonObject { ["definitionId"] = definitionId };
        if (Property(activity, "input") is { } input)
        {
            if (TryValue(input, ValueShape.Object, out var value))
            {
                inputs["input"] = value;
            }
            else
            {
                Note(id, type, $"its input is the {input.Language} expression {Excerpt(input.Text)}, which cannot be translated and was left out; set the workflow node's 'input' by hand.");
            }
        }

        if (Property(activity, "correlationId") is { } correlation && correlation.Text.Trim().Length > 0)
        {
            if (TryValue(correlation, ValueShape.Text, out var correlationValue))
            {
                inputs["correlationId"] = correlationValue;
            }
            else
            {
                Note(id, type, $"its correlationId is the {correlation.Language} expression {Excerpt(correlation.Text)}, which cannot run here; the child takes the parent's correlation id.");
            }
        }

        // Elsa's DispatchWorkflow waits only when asked to, its ExecuteWorkflow unless told not to; a
        // workflow node that does not wait starts the child and goes on with { instanceId }.
        var waitExpression = Property(activity, "waitForCompletion");
        var waits = waitExpression is not null && waitExpression.Is(ElsaExpression.Literal) ? ElsaJson.Boolean(waitExpression.Value) : null;
        var dispatch = ElsaActivityTypes.Classify(type) == ElsaActivityKind.DispatchWorkflow;
        if (waitExpression is not null && waits is null)
        {
            Note(id, type, $"its waitForCompletion is the {waitExpression.Language} expression {Excerpt(waitExpression.Text)}; the node {(dispatch ? "does not wait" : "waits")}, Elsa's default.");
        }

        if (dispatch ? waits != true : waits == false)
        {
            inputs["wait"] = false;
        }

        // Elsa's result is { workflowState, output }: what a script reads of it is the child's output.
        var node = AddNode(activity, prefix, Workflow, inputs);
        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id), [("result", $"{ScriptOutput}({{ output: {NodeOutput(node.Id)} }})")]);
    }

    private ElsaFragment? ConvertCron(JsonObject activity, string id, string? type, string prefix, bool canTrigger)
    {
        if (!canTrigger)
        {
            Problem(id, type,
                "A Cron activity starts the workflow only when nothing leads to it in the workflow's own flowchart; placed after other activities it waits for the next occurrence, which TaskFlow cannot express. " +
                "Move it to the start, or use a delay.");
            return null;
        }

        var expression = Property(activity, "cronExpression");
        var cron = expression is not null && expression.Is(ElsaExpression.Literal) ? expression.Text.Trim() : null;
        if (string.IsNullOrEmpty(cron))
        {
            Problem(id, type, expression is null
                ? "It has no cron expression."
                : $"Its cron expression is the {expression.Language} expression {Excerpt(expression.Text)}; TaskFlow schedules need a literal cron expression.");
            return null;
        }

        if (cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is not (5 or 6))
        {
            Problem(id, type, $"Its cron expression '{cron}' does not have five fields (minute hour day month weekday) or six (with seconds first); Quartz's seventh field, the year, is not supported.");
            return null;
        }

        _triggers.Add(new TriggerDefinition { Type = "cron", Cron = cron });

        // The trigger starts the instance; the noop keeps the Cron's place so that its connections still lead somewhere.
        return ElsaFragment.Single(AddNode(activity, prefix, Noop).Id);
    }

    /// <summary>FlowJoin and Fork modes, written as names or as enum numbers (WaitAll = 0, WaitAny = 1).</summary>
    private static string? JoinModeName(JsonNode? value)
    {
        if (ElsaJson.String(value) is { } text)
        {
            return ((string[])["WaitAll", "WaitAllActive", "WaitAny"]).FirstOrDefault(m => string.Equals(m, text.Trim(), StringComparison.OrdinalIgnoreCase));
        }

        return value is JsonValue number && number.TryGetValue<int>(out var n) ? n switch
        {
            0 => "WaitAll",
            1 => "WaitAny",
            _ => null,
        } : null;
    }

    /// <summary>A FlowFork's outcomes: its branch names, or Done without any; null when they are an expression.</summary>
    private static HashSet<string>? ForkBranches(ElsaExpression? branches)
    {
        if (branches is null)
        {
            return [DonePort];
        }

        if (!branches.Is(ElsaExpression.Literal) && !branches.Is(ElsaExpression.Object))
        {
            return null;
        }

        var list = ElsaJson.String(branches.Value) is { } text ? ElsaValues.TryParseJson(text) as JsonArray : branches.Value as JsonArray;
        var names = list?.Select(ElsaJson.String).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return names is null ? null : names.Count == 0 ? [DonePort] : names;
    }
}
