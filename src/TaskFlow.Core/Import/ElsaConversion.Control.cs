using System.Text.Json.Nodes;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Import;

/// <summary>Control flow: If, Switch, FlowSwitch, ForEach, ParallelForEach, FlowNode, Complete, Fault, and the activities that only name or correlate a run.</summary>
internal sealed partial class ElsaConversion
{
    private const string Fail = "fail";
    private const string ForEachActivity = "foreach";
    private const string LoopItemInput = "item";
    private const string LoopIndexInput = "index";
    private const string JavaScriptActivity = "javascript";
    private const string DefaultCase = "Default";

    //   If ──[condition]──> then ──┐
    //      └─[!(condition)]─> else ─┴──> what follows the If (an implicit merge)
    private ElsaFragment? ConvertIf(JsonObject activity, string id, string? type, string prefix)
    {
        var condition = DecisionCondition(activity, "condition", id, type);
        var node = AddNode(activity, prefix, Noop);
        if (activity["then"] is not JsonObject && activity["else"] is not JsonObject)
        {
            // In a flowchart an If without branches leaves by its ports: True or False, then Done.
            if (condition is not null)
            {
                AddPort(node.Id, "True", condition);
                AddPort(node.Id, "False", ElsaConditions.Not(condition));
                AddPort(node.Id, DonePort, null);
            }

            return condition is null ? null : ElsaFragment.Single(node.Id);
        }

        var childPrefix = ChildPrefix(prefix, id);
        var then = Branch(activity["then"], childPrefix, activity, prefix, "then");
        var otherwise = Branch(activity["else"], childPrefix, activity, prefix, "else");
        if (condition is null || then is null || otherwise is null)
        {
            return null;
        }

        Connect([node.Id], then.Entries, condition, "True");
        Connect([node.Id], otherwise.Entries, ElsaConditions.Not(condition), "False");
        return new ElsaFragment([node.Id], [.. then.Exits, .. otherwise.Exits]);
    }

    /// <summary>
    /// While repeats its body as long as its condition holds, checked before each round: a check node
    /// whose edge into the body is taken while the condition holds, a connection from each of the
    /// body's ends back to the check (a loop edge, see <see cref="MarkLoops"/>), and Done, the way out,
    /// taken once it does not.
    /// </summary>
    private ElsaFragment? ConvertWhile(JsonObject activity, string id, string? type, string prefix)
    {
        var condition = DecisionCondition(activity, "condition", id, type);
        var check = AddNode(activity, prefix, Noop);
        if (activity["body"] is not JsonObject)
        {
            Problem(id, type, "It has no body to repeat.");
            return null;
        }

        var body = Branch(activity["body"], ChildPrefix(prefix, id), activity, prefix, "body");
        if (condition is null || body is null)
        {
            return null;
        }

        Connect([check.Id], body.Entries, condition, "Iterate");
        Connect(body.Exits, [check.Id], null, null);
        AddPort(check.Id, DonePort, ElsaConditions.Not(condition));
        return ElsaFragment.Single(check.Id);
    }

    /// <summary>
    /// Switch runs the first case whose condition holds (mode MatchFirst, the default) or every one that
    /// holds (MatchAny); the default when none does.
    /// </summary>
    private ElsaFragment? ConvertSwitch(JsonObject activity, string id, string? type, string prefix)
    {
        var cases = SwitchCases(activity, id, type);
        var node = AddNode(activity, prefix, Noop);
        if (cases is null)
        {
            return null;
        }

        var childPrefix = ChildPrefix(prefix, id);
        var exits = new List<string>();
        var failed = false;
        foreach (var (label, condition, body) in cases)
        {
            var branch = Branch(body, childPrefix, activity, prefix, label);
            if (branch is null)
            {
                failed = true;
                continue;
            }

            Connect([node.Id], branch.Entries, condition, label);
            exits.AddRange(branch.Exits);
        }

        var fallback = Branch(activity["default"], childPrefix, activity, prefix, "default");
        if (failed || fallback is null)
        {
            return null;
        }

        Connect([node.Id], fallback.Entries, NoneOf(cases.Select(c => c.Condition)), DefaultCase);
        exits.AddRange(fallback.Exits);
        return new ElsaFragment([node.Id], exits);
    }

    /// <summary>FlowSwitch: each case is a port of the same name, Default when no case holds.</summary>
    private ElsaFragment? ConvertFlowSwitch(JsonObject activity, string id, string? type, string prefix)
    {
        var cases = SwitchCases(activity, id, type);
        var node = AddNode(activity, prefix, Noop);
        if (cases is null)
        {
            return null;
        }

        foreach (var (label, condition, _) in cases)
        {
            AddPort(node.Id, label, condition);
        }

        AddPort(node.Id, DefaultCase, NoneOf(cases.Select(c => c.Condition)));
        return ElsaFragment.Single(node.Id);
    }

    /// <summary>
    /// The cases with their TaskFlow conditions. With MatchFirst a case is taken only when the ones before
    /// it do not hold, so its condition carries their negations.
    /// </summary>
    private List<(string Label, string Condition, JsonNode? Body)>? SwitchCases(JsonObject activity, string id, string? type)
    {
        var matchAny = IsMatchAny(activity);
        var result = new List<(string, string, JsonNode?)>();
        var earlier = new List<string>();
        var failed = false;
        var items = ElsaJson.Array(activity["cases"]) ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var item = ElsaJson.Object(items[i]);
            var label = NonEmpty(item?["label"]) ?? $"Case {i + 1}";
            var expression = item is null ? null : ElsaExpression.Read(item["condition"]);
            var condition = expression is null ? null : ConvertCondition(expression);
            if (condition is null)
            {
                Problem(id, type, expression is null
                    ? $"Its case '{label}' has no condition."
                    : $"The condition of its case '{label}' is the {expression.Language} expression {Excerpt(expression.Text)}; TaskFlow runs JavaScript conditions, not {expression.Language}. Rewrite it in JavaScript and export again.");
                failed = true;
                continue;
            }

            result.Add((label, matchAny || earlier.Count == 0 ? condition : ElsaConditions.And([condition, NoneOf(earlier)]), item!["activity"]));
            earlier.Add(condition);
        }

        return failed ? null : result;
    }

    private bool IsMatchAny(JsonObject activity) =>
        Property(activity, "mode") is { } mode && (string.Equals(mode.Text, "MatchAny", StringComparison.OrdinalIgnoreCase) || mode.Text == "1");

    private static string NoneOf(IEnumerable<string> conditions)
    {
        var list = conditions.ToList();
        return list.Count == 0 ? "true" : ElsaConditions.Not(ElsaConditions.Or(list));
    }

    /// <summary>A branch of an If or Switch: its activity, or a noop where there is none.</summary>
    private ElsaFragment? Branch(JsonNode? body, string childPrefix, JsonObject owner, string prefix, string name)
    {
        if (body is JsonObject child && NonEmpty(child["id"]) is not null)
        {
            return ConvertActivity(child, childPrefix, canTrigger: false);
        }

        return ElsaFragment.Single(AddNode(owner, prefix, Noop, suffix: name).Id);
    }

    private string? DecisionCondition(JsonObject activity, string member, string id, string? type)
    {
        var expression = Property(activity, member);
        var condition = expression is null ? null : ConvertCondition(expression);
        if (condition is null)
        {
            Problem(id, type, expression is null
                ? "It has no condition. Set one in Elsa Studio and export again."
                : $"Its condition is the {expression.Language} expression {Excerpt(expression.Text)}; TaskFlow runs JavaScript conditions, not {expression.Language}. " +
                  "The import stops here instead of keeping it as text, because a condition kept as text would silently send the workflow down the wrong branch. " +
                  "Rewrite it in JavaScript (Elsa's default), or remove the decision, and import again.");
        }

        return condition;
    }

    /// <summary>
    /// ForEach and ParallelForEach: a TaskFlow foreach node runs one activity per item: the body when it is
    /// one activity (or a flowchart or sequence of exactly one), else a workflow made of the body (see
    /// <see cref="ConvertLoopBody"/>). ForEach runs the items one at a time.
    /// </summary>
    private ElsaFragment? ConvertForEach(JsonObject activity, string id, string? type, string prefix, bool parallel)
    {
        var itemsExpression = Property(activity, "items");
        if (itemsExpression is null)
        {
            Problem(id, type, "It has no items.");
            return null;
        }

        JsonNode? items;
        if (itemsExpression.Is(ElsaExpression.JavaScript) && ElsaValues.TryParseJson(itemsExpression.Text.Trim()) is JsonArray literal)
        {
            // A JavaScript array literal that is also JSON, such as ["Apple", "Banana"], is that list.
            items = ElsaJson.EscapeTemplates(literal);
        }
        else if (!RequireValue(itemsExpression, ValueShape.Any, id, type, "items", out items))
        {
            return null;
        }

        return ConvertLoop(activity, id, type, prefix, items, parallel);
    }

    /// <summary>
    /// For: a counter from <c>start</c> to <c>end</c> (included unless <c>outerBoundInclusive</c> is false)
    /// by <c>step</c>, one item at a time: a foreach over that list, as a JSON array when the bounds are
    /// literal and as JavaScript computing it otherwise. Elsa's current value is the counter.
    /// </summary>
    private ElsaFragment? ConvertFor(JsonObject activity, string id, string? type, string prefix)
    {
        var bounds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, fallback) in new[] { ("start", "0"), ("end", "0"), ("step", "1") })
        {
            var expression = Property(activity, name);
            if (expression is null)
            {
                bounds[name] = fallback;
            }
            else if (expression.Is(ElsaExpression.Literal) && long.TryParse(expression.Text.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                bounds[name] = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (expression.Is(ElsaExpression.JavaScript) && expression.Text.Trim().Length > 0)
            {
                bounds[name] = $"({expression.Text.Trim()})";
            }
            else
            {
                Problem(id, type, $"Its {name} {Excerpt(expression.Text)} ({expression.Language}) is not a whole number or a JavaScript expression.");
            }
        }

        var inclusiveExpression = Property(activity, "outerBoundInclusive");
        var inclusive = inclusiveExpression is null || !inclusiveExpression.Is(ElsaExpression.Literal) || !bool.TryParse(inclusiveExpression.Text.Trim(), out var flag) || flag;
        if (bounds.Count < 3)
        {
            return null;
        }

        JsonNode items;
        if (long.TryParse(bounds["start"], out var start) && long.TryParse(bounds["end"], out var end) && long.TryParse(bounds["step"], out var step))
        {
            if (step == 0 || (end - start) / step > MaxLiteralForItems)
            {
                Problem(id, type, step == 0 ? "Its step is 0, so it never ends." : $"It counts more than {MaxLiteralForItems} times; a foreach takes at most that many items.");
                return null;
            }

            var list = new JsonArray();
            for (var i = start; step > 0 ? (inclusive ? i <= end : i < end) : (inclusive ? i >= end : i > end); i += step)
            {
                list.Add(i);
            }

            items = list;
        }
        else
        {
            var compare = inclusive ? "<=" : "<";
            var compareDown = inclusive ? ">=" : ">";
            items = new JsonObject
            {
                [JavaScriptKey] =
                    $"(() => {{ const start = {bounds["start"]}, end = {bounds["end"]}, step = {bounds["step"]}; const items = []; " +
                    $"if (step === 0) throw new Error(\"The loop's step is 0.\"); " +
                    $"for (let i = start; step > 0 ? i {compare} end : i {compareDown} end; i += step) items.push(i); return items; }})()",
            };
        }

        Note(id, type, "it is a foreach over the counter's values, one at a time; the counter is 'item'.");
        return ConvertLoop(activity, id, type, prefix, items, parallel: false);
    }

    /// <summary>The most items a For with literal bounds may count: the foreach limit's default.</summary>
    private const long MaxLiteralForItems = 10_000;

    /// <summary>A foreach node over <paramref name="items"/> running the loop activity's body.</summary>
    private ElsaFragment? ConvertLoop(JsonObject activity, string id, string? type, string prefix, JsonNode? items, bool parallel)
    {
        var body = SingleBodyActivity(activity["body"]);
        JsonObject bodyActivity;
        if (body is null)
        {
            // A body of several activities becomes a workflow of its own, run once per item.
            var companion = ConvertLoopBody(activity, id, type);
            if (companion is null)
            {
                return null;
            }

            bodyActivity = new JsonObject
            {
                ["type"] = Workflow,
                ["inputs"] = new JsonObject
                {
                    ["definitionId"] = companion.Id,
                    ["input"] = new JsonObject { [LoopItemInput] = "{{ item }}", [LoopIndexInput] = "{{ index }}" },
                },
            };
        }
        else if (ConvertBodyActivity(body, id, type, prefix) is { } converted)
        {
            bodyActivity = converted;
        }
        else
        {
            return null;
        }

        var inputs = new JsonObject
        {
            ["items"] = items,
            ["body"] = bodyActivity,
        };
        if (!parallel)
        {
            inputs["maxParallelism"] = 1L;
        }

        Note(id, type, "in its body, Elsa's current item (getCurrentValue(), CurrentValue) is TaskFlow's 'item' and its index 'index'.");
        var node = AddNode(activity, prefix, ForEachActivity, inputs);
        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id), [("result", NodeOutput(node.Id))]);
    }

    /// <summary>The one activity of a loop's body as a foreach body (<c>type</c> and <c>inputs</c>), or null with a problem.</summary>
    private JsonObject? ConvertBodyActivity(JsonObject body, string id, string? type, string prefix)
    {
        // The body is converted like any activity, then taken out of the graph and put inside the foreach.
        var before = _nodes.Count;
        var fragment = ConvertActivity(body, ChildPrefix(prefix, id), canTrigger: false);
        if (fragment is null)
        {
            return null;
        }

        if (_nodes.Count != before + 1)
        {
            Problem(id, type, $"Its body, '{ElsaJson.String(body["type"])}', becomes more than one TaskFlow node; a foreach body must be a single activity.");
            return null;
        }

        var bodyNode = _nodes[^1];
        _nodes.RemoveAt(_nodes.Count - 1);
        _nodeIds.Remove(bodyNode.Id);
        _origins.Remove(bodyNode.Id);
        return new JsonObject { ["type"] = bodyNode.Type, ["inputs"] = bodyNode.Inputs.DeepClone() };
    }

    /// <summary>
    /// A loop body of several activities (a flowchart or a sequence) converted as a workflow of its own,
    /// named after this one and the loop (<c>{id}.{loop}-body</c>), with the loop's item and index as its
    /// inputs and this workflow's variable declarations. It is added to <see cref="_companions"/>; null
    /// with the body's problems, each naming the loop, when it cannot be converted.
    /// </summary>
    private WorkflowDefinition? ConvertLoopBody(JsonObject activity, string id, string? type)
    {
        if (activity["body"] is not JsonObject body || ElsaActivityTypes.Classify(ElsaJson.String(body["type"])) is not (ElsaActivityKind.Flowchart or ElsaActivityKind.Sequence))
        {
            Problem(id, type, "Its body is not an activity, a flowchart or a sequence.");
            return null;
        }

        var loopName = NonEmpty(activity["name"]) ?? id;
        var variables = new JsonArray();
        foreach (var declared in (ElsaJson.Array(document["variables"]) ?? []).Concat(ElsaJson.Array(ElsaJson.Object(document["root"])?["variables"]) ?? []))
        {
            variables.Add(declared?.DeepClone());
        }

        var bodyDocument = new JsonObject
        {
            ["definitionId"] = ElsaIds.Sanitize($"{_id}.{ElsaIds.Sanitize(id) ?? "loop"}-body"),
            ["name"] = $"{NonEmpty(document["name"]) ?? _id}: body of {loopName}",
            ["variables"] = variables,
            ["root"] = body.DeepClone(),
        };
        var result = new ElsaConversion(bodyDocument, context) { LoopBody = true }.Run();
        if (!result.Succeeded)
        {
            foreach (var problem in result.Problems)
            {
                Problem(problem.ActivityId ?? id, problem.ActivityType ?? type, $"In the body of loop '{loopName}': {problem.Message}");
            }

            return null;
        }

        _companions.AddRange(result.Companions);
        _companions.Add(result.Definition);
        foreach (var note in result.Notes)
        {
            _notes.Add($"In the body of loop '{loopName}': {note}");
        }

        Note(id, type,
            $"its body of several activities is the workflow '{result.Definition.Id}', run once per item with the item and its index as inputs 'item' and 'index'. " +
            "The body reads the workflow's variables as declared (their initial values); what it writes to them stays in that run of the body.");
        return result.Definition;
    }

    /// <summary>The one activity of a body: itself, or the only activity of a flowchart without connections or of a sequence.</summary>
    private static JsonObject? SingleBodyActivity(JsonNode? body)
    {
        if (body is not JsonObject activity)
        {
            return null;
        }

        var kind = ElsaActivityTypes.Classify(ElsaJson.String(activity["type"]));
        if (kind is not (ElsaActivityKind.Flowchart or ElsaActivityKind.Sequence))
        {
            return NonEmpty(activity["id"]) is null ? null : activity;
        }

        var children = ElsaJson.Array(activity["activities"]);
        return children is { Count: 1 } && (ElsaJson.Array(activity["connections"])?.Count ?? 0) == 0 ? SingleBodyActivity(children[0]) : null;
    }

    /// <summary>FlowNode wraps one activity (its body) as a flowchart node; the body takes its place.</summary>
    private ElsaFragment? ConvertFlowNode(JsonObject activity, string id, string? type, string prefix)
    {
        if (activity["body"] is not JsonObject body)
        {
            return ElsaFragment.Single(AddNode(activity, prefix, Noop).Id);
        }

        if (NonEmpty(body["id"]) is null)
        {
            body = (JsonObject)body.DeepClone();
            body["id"] = "body";
        }

        return ConvertActivity(body, ChildPrefix(prefix, id), canTrigger: false);
    }

    /// <summary>Fault fails the workflow with its message: a fail node, after which nothing runs.</summary>
    private ElsaFragment? ConvertFault(JsonObject activity, string id, string? type, string prefix)
    {
        if (!RequireValue(Property(activity, "message"), ValueShape.Text, id, type, "message", out var message))
        {
            return null;
        }

        var code = Property(activity, "code") is { } c && c.Is(ElsaExpression.Literal) && c.Text.Length > 0 ? c.Text : null;
        message ??= code is null ? "Fault" : $"Fault {code}";
        return ElsaFragment.Terminal(AddNode(activity, prefix, Fail, new JsonObject { ["message"] = message }).Id);
    }

    /// <summary>Complete ends the workflow (and, used as an activity, leaves its parent by the given outcomes).</summary>
    private ElsaFragment ConvertComplete(JsonObject activity, string id, string? type, string prefix)
    {
        var outcomes = Property(activity, "outcomes") is { } value && (value.Is(ElsaExpression.Literal) || value.Is(ElsaExpression.Object))
            ? (ElsaJson.String(value.Value) is { } text ? ElsaValues.TryParseJson(text) as JsonArray ?? [JsonValue.Create(text)] : value.Value as JsonArray ?? [])
                .Select(ElsaJson.String).OfType<string>().Where(o => o.Length > 0).ToList()
            : [];
        var node = AddNode(activity, prefix, Noop);
        _completions.Add((node.Id, outcomes));
        return ElsaFragment.Terminal(node.Id);
    }

    /// <summary>Correlate and SetName only label the run in Elsa; TaskFlow runs keep the correlation id they were started with and have no name.</summary>
    private ElsaFragment ConvertLabel(JsonObject activity, string id, string? type, string prefix, ElsaActivityKind kind)
    {
        Note(id, type, kind == ElsaActivityKind.Correlate
            ? "Elsa sets the run's correlation id here; a TaskFlow run keeps the correlation id it was started with (X-Correlation-Id or the run request's correlationId), so this is a noop."
            : "Elsa names the run here; TaskFlow runs have no name, so this is a noop.");
        return ElsaFragment.Single(AddNode(activity, prefix, Noop).Id);
    }

    /// <summary>RunJavaScript runs its script in TaskFlow's javascript activity; the script's return value is the node's output.</summary>
    private ElsaFragment? ConvertRunJavaScript(JsonObject activity, string id, string? type, string prefix)
    {
        var script = Property(activity, "script");
        if (script is null || !(script.Is(ElsaExpression.Literal) || script.Is(ElsaExpression.JavaScript)))
        {
            Problem(id, type, script is null ? "It has no script." : $"Its script is a {script.Language} expression; the script itself must be written in the activity.");
            return null;
        }

        // The script is JavaScript, not a template (the activity reads it as { js }), so it is not escaped.
        var node = AddNode(activity, prefix, JavaScriptActivity, new JsonObject { ["script"] = script.Text });
        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id), [("result", NodeOutput(node.Id))]);
    }

    /// <summary>
    /// TaskFlow does not run C#. A RunCSharp script that only returns a literal or a variable or input
    /// (<c>return "Foo";</c>) gives the same value as a transform node; any other is refused.
    /// </summary>
    private ElsaFragment? ConvertRunCSharp(JsonObject activity, string id, string? type, string prefix)
    {
        var script = Property(activity, "script");
        var value = script is null ? null : ElsaExpressionTranslator.TranslateScript(ElsaExpression.CSharp, script.Text, _names, condition: false);
        if (value is null || !(IsPlainReference(value) || IsLiteral(value)))
        {
            Problem(id, type, $"TaskFlow does not run C#, and its script {Excerpt(script?.Text ?? "")} does more than return a literal, a variable or an input. Rewrite it as a RunJavaScript activity and export again.");
            return null;
        }

        var node = AddNode(activity, prefix, Transform, new JsonObject { ["value"] = $"{{{{ {value} }}}}" });
        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id), [("result", NodeOutput(node.Id))]);
    }

    private static bool IsLiteral(string expression) =>
        expression is "true" or "false" or "null" || double.TryParse(expression, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
        || (expression.Length >= 2 && expression[0] == '\'' && expression[^1] == '\'' && !expression[1..^1].Replace("\\\\", "").Replace("\\'", "").Contains('\''));

    /// <summary>Whether the activity's merge mode (in <c>customProperties</c>, Elsa 3.5 and later) waits for every inbound connection.</summary>
    private static bool StrictMerge(JsonObject activity) =>
        (ElsaJson.String(ElsaJson.Object(activity["customProperties"])?["mergeMode"]) ?? ElsaJson.String(activity["mergeMode"])) is { } mode &&
        (mode.Equals("Merge", StringComparison.OrdinalIgnoreCase) || mode.Equals("Converge", StringComparison.OrdinalIgnoreCase));

    /// <summary>Node ids that wait for every inbound edge (see <see cref="InsertStrictMerges"/>).</summary>
    private readonly HashSet<string> _strictMerges = new(StringComparer.Ordinal);
}
