using System.Globalization;
using System.Text.Json.Nodes;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Import;

/// <summary>Activities that wait: Timer, StartAt, Event and RunTask.</summary>
internal sealed partial class ElsaConversion
{
    private const string EventActivity = "event";
    private const string EventPublishActivity = "event.publish";
    private const string AgentActivity = "agent";

    /// <summary>
    /// A Timer that starts the workflow repeats every interval: a cron trigger, when the interval divides
    /// a minute, an hour or a day evenly. After other activities it waits one interval: a delay.
    /// </summary>
    private ElsaFragment? ConvertTimer(JsonObject activity, string id, string? type, string prefix, bool canTrigger)
    {
        var expression = Property(activity, "interval") ?? Property(activity, "timeSpan");
        if (expression is null || !expression.Is(ElsaExpression.Literal) || !TimeSpan.TryParse(expression.Text, CultureInfo.InvariantCulture, out var interval) || interval <= TimeSpan.Zero)
        {
            Problem(id, type, expression is null ? "It has no interval." : $"Its interval {Excerpt(expression.Text)} is not a literal .NET time span such as 00:05:00.");
            return null;
        }

        if (!canTrigger)
        {
            return ElsaFragment.Single(AddNode(activity, prefix, Delay, new JsonObject { ["duration"] = interval.ToString("c", CultureInfo.InvariantCulture) }).Id);
        }

        if (CronFor(interval) is not { } cron)
        {
            Problem(id, type, $"Its interval {interval:c} does not divide a minute, an hour or a day evenly, so no cron schedule repeats it exactly. Use a Cron activity instead.");
            return null;
        }

        _triggers.Add(new TriggerDefinition { Type = "cron", Cron = cron });
        Note(id, type, $"the timer is the cron trigger '{cron}': its runs fall on whole multiples of the interval (UTC), not counted from when the workflow was published.");
        return ElsaFragment.Single(AddNode(activity, prefix, Noop).Id);
    }

    private static string? CronFor(TimeSpan interval)
    {
        var seconds = interval.TotalSeconds;
        if (seconds != Math.Floor(seconds))
        {
            return null;
        }

        var s = (int)seconds;
        return s switch
        {
            < 60 when 60 % s == 0 => $"*/{s} * * * * *",
            < 3600 when s % 60 == 0 && 60 % (s / 60) == 0 => $"0 */{s / 60} * * * *",
            < 86400 when s % 3600 == 0 && 24 % (s / 3600) == 0 => $"0 0 */{s / 3600} * * *",
            86400 => "0 0 0 * * *",
            _ => null,
        };
    }

    private ElsaFragment? ConvertStartAt(JsonObject activity, string id, string? type, string prefix, bool canTrigger)
    {
        var expression = Property(activity, "dateTime");
        if (expression is null || !RequireValue(expression, ValueShape.Text, id, type, "date and time", out var until))
        {
            if (expression is null)
            {
                Problem(id, type, "It has no date and time.");
            }

            return null;
        }

        if (canTrigger)
        {
            Note(id, type, "Elsa starts the workflow at that time by itself; in TaskFlow a run started by hand (or by another trigger) waits until then.");
        }

        return ElsaFragment.Single(AddNode(activity, prefix, Delay, new JsonObject { ["until"] = until }).Id);
    }

    private ElsaFragment? ConvertEvent(JsonObject activity, string id, string? type, string prefix, bool canTrigger)
    {
        var name = Property(activity, "eventName") ?? Property(activity, "name");
        if (name is null || ElsaJson.String(name.Value) is not { Length: > 0 } || !RequireValue(name, ValueShape.Text, id, type, "event name", out var value))
        {
            if (name is null)
            {
                Problem(id, type, "It has no event name.");
            }

            return null;
        }

        if (canTrigger && ElsaJson.Boolean(ElsaJson.Object(activity["customProperties"])?["canStartWorkflow"]) == true)
        {
            Note(id, type, "Elsa starts a new run when the event is published; TaskFlow has no event trigger, so a run (started by hand or by another trigger) waits for the event here.");
        }

        var node = AddNode(activity, prefix, EventActivity, new JsonObject { ["name"] = value });
        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id), [("result", NodeOutput(node.Id))]);
    }

    /// <summary>
    /// PublishEvent: an event.publish node, which resumes the nodes waiting for the event as Elsa's
    /// published event resumes its Event activities; <c>isLocal</c> keeps it to this run.
    /// </summary>
    private ElsaFragment? ConvertPublishEvent(JsonObject activity, string id, string? type, string prefix)
    {
        var name = Property(activity, "eventName");
        if (name is null || name.Text.Trim().Length == 0)
        {
            Problem(id, type, "It has no event name.");
            return null;
        }

        if (!RequireValue(name, ValueShape.Text, id, type, "event name", out var value))
        {
            return null;
        }

        var inputs = new JsonObject { ["name"] = value };
        if (Property(activity, "correlationId") is { } correlation && correlation.Text.Trim().Length > 0)
        {
            if (!RequireValue(correlation, ValueShape.Text, id, type, "correlation id", out var correlationValue))
            {
                return null;
            }

            inputs["correlation"] = correlationValue;
        }

        if (Property(activity, "payload") is { } payload)
        {
            if (!RequireValue(payload, ValueShape.Any, id, type, "payload", out var payloadValue))
            {
                return null;
            }

            inputs["payload"] = payloadValue;
        }

        var local = Property(activity, "isLocal");
        if (local is not null && local.Is(ElsaExpression.Literal) && ElsaJson.Boolean(local.Value) == true)
        {
            inputs["instanceId"] = "{{ instance.id }}";
        }
        else if (local is not null && !local.Is(ElsaExpression.Literal))
        {
            Note(id, type, $"its isLocal is the {local.Language} expression {Excerpt(local.Text)}; the event goes to every waiting run.");
        }

        var node = AddNode(activity, prefix, EventPublishActivity, inputs);
        return ElsaFragment.Single(node.Id);
    }

    /// <summary>The type prefix of the activities Elsa's agents module generates, one per configured agent.</summary>
    private const string ElsaAgentPrefix = "Elsa.Agents.";

    /// <summary>
    /// An activity of Elsa's agents module (<c>Elsa.Agents.{Agent}</c>) asks a configured AI agent to do
    /// something with its inputs. Here it is an agent task for an agent with the capability
    /// <c>{Agent}</c>: its inputs are the task's input, and the agent's completion is the output.
    /// </summary>
    private ElsaFragment? ConvertElsaAgent(JsonObject activity, string id, string type, string prefix)
    {
        var agent = type[ElsaAgentPrefix.Length..];
        var input = new JsonObject();
        foreach (var (member, _) in activity)
        {
            if (member is "id" or "nodeId" or "name" or "type" or "version" or "customProperties" or "metadata" or "output" or "result" or "canStartWorkflow" or "runAsynchronously")
            {
                continue;
            }

            if (Property(activity, member) is not { } expression)
            {
                continue;
            }

            if (!RequireValue(expression, ValueShape.Any, id, type, member, out var value))
            {
                return null;
            }

            input[member] = value;
        }

        var inputs = new JsonObject { ["title"] = ElsaJson.EscapeTemplate(NonEmpty(activity["name"]) ?? agent), ["capability"] = ElsaJson.EscapeTemplate(agent), ["input"] = input };
        Note(id, type, $"Elsa runs its agent '{agent}' with the model its host configures; here it is an agent task for an agent with capability '{agent}' (GET /api/agent-tasks?capability={agent}), whose completion is the output.");
        var node = AddNode(activity, prefix, AgentActivity, inputs);
        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id), [("output", NodeOutput(node.Id))]);
    }

    /// <summary>
    /// RunTask asks an outside application to do a task and waits for its result. TaskFlow's agent node is
    /// that: the application lists it (GET /api/agent-tasks?capability=&lt;task name&gt;) with its payload,
    /// claims it and completes it with the result, once.
    /// </summary>
    private ElsaFragment? ConvertRunTask(JsonObject activity, string id, string? type, string prefix)
    {
        var name = Property(activity, "taskName");
        if (name is null || !name.Is(ElsaExpression.Literal) || string.IsNullOrWhiteSpace(name.Text))
        {
            Problem(id, type, name is null ? "It has no task name." : $"Its task name {Excerpt(name.Text)} is not literal text.");
            return null;
        }

        if (!RequireValue(Property(activity, "payload"), ValueShape.Any, id, type, "payload", out var payload))
        {
            return null;
        }

        var inputs = new JsonObject { ["title"] = ElsaJson.EscapeTemplate(name.Text), ["capability"] = ElsaJson.EscapeTemplate(name.Text) };
        if (payload is not null)
        {
            inputs["input"] = payload;
        }

        var node = AddNode(activity, prefix, AgentActivity, inputs);
        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id), [("result", NodeOutput(node.Id))]);
    }
}
