using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>
/// Flowcharts: the root one becomes the definition's graph; a nested one is inlined, its nodes
/// named <c>&lt;flowchartId&gt;.&lt;activityId&gt;</c>.
/// </summary>
internal sealed partial class ElsaConversion
{
    private const string DonePort = "Done";

    private ElsaFragment? ConvertFlowchart(JsonObject flowchart, string prefix, bool nested)
    {
        var id = ElsaJson.String(flowchart["id"]) ?? "";
        var type = ElsaJson.String(flowchart["type"]);
        var childPrefix = nested ? ChildPrefix(prefix, id) : "";

        var activities = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var child in ChildActivities(flowchart["activities"], id, type, "activities"))
        {
            var childId = ElsaJson.String(child["id"])!;
            if (activities.TryAdd(childId, child))
            {
                order.Add(childId);
            }
            else
            {
                Problem(childId, ElsaJson.String(child["type"]), $"Another activity of flowchart '{id}' has the same id; activity ids must be unique.");
            }
        }

        if (order.Count == 0)
        {
            if (!nested)
            {
                // Elsa runs an empty flowchart and completes at once; so does a single noop.
                Note(null, null, "The workflow's flowchart has no activities; the definition is one noop node, which completes at once as Elsa's empty flowchart does.");
            }

            return ElsaFragment.Single(AddNode(flowchart, prefix, Noop).Id);
        }

        var connections = ReadConnections(flowchart, id, type, activities);
        var inbound = connections.Select(c => c.Target).ToHashSet(StringComparer.Ordinal);
        var roots = order.Where(a => !inbound.Contains(a)).ToList();

        var fragments = new Dictionary<string, ElsaFragment?>(StringComparer.Ordinal);
        foreach (var childId in order)
        {
            fragments[childId] = ConvertActivity(activities[childId], childPrefix, canTrigger: !nested && roots.Contains(childId));
            if (fragments[childId] is { } converted && StrictMerge(activities[childId]))
            {
                _strictMerges.UnionWith(converted.Entries);
            }
        }

        var start = StartActivity(flowchart, id, type, activities, order, roots);
        CheckStart(id, type, nested, start, roots);
        if (fragments.Values.Any(f => f is null) || start is null)
        {
            return null;
        }

        var wired = new HashSet<(string Activity, string Port)>();
        foreach (var connection in connections)
        {
            if (Wire(connection, activities[connection.Source], fragments[connection.Source]!, fragments[connection.Target]!) is { } port)
            {
                wired.Add((connection.Source, port));
            }
        }

        // Elsa starts a flowchart at one activity. At the top, TaskFlow starts every node without
        // inbound edges (noted in CheckStart); a nested flowchart is entered at Elsa's start only.
        var entries = nested || roots.Count == 0 ? fragments[start]!.Entries : roots.SelectMany(r => fragments[r]!.Entries).ToList();
        var exits = order.Where(a => EndsFlowchart(a, activities[a], wired)).SelectMany(a => fragments[a]!.Exits).ToList();
        return new ElsaFragment(entries, exits);
    }

    /// <summary>
    /// Whether the flowchart can finish after this activity: nothing follows it, or it is a decision
    /// whose other port leads nowhere. The nodes after a nested flowchart then wait for it (an
    /// implicit merge runs once every inbound edge is resolved).
    /// </summary>
    private static bool EndsFlowchart(string activity, JsonObject definition, HashSet<(string Activity, string Port)> wired) =>
        ElsaActivityTypes.Classify(ElsaJson.String(definition["type"])) == ElsaActivityKind.FlowDecision
            ? !(wired.Contains((activity, "True")) && wired.Contains((activity, "False")))
            : !wired.Any(w => w.Activity == activity);

    private static string ChildPrefix(string prefix, string containerId) => (ElsaIds.Sanitize(prefix + containerId) ?? "activity") + ".";

    /// <summary>The activities of a container that have an id; problems for the others.</summary>
    private List<JsonObject> ChildActivities(JsonNode? list, string ownerId, string? ownerType, string member)
    {
        if (list is null)
        {
            return [];
        }

        if (list is not JsonArray items)
        {
            Problem(ownerId, ownerType, $"Its '{member}' is not a list of activities.");
            return [];
        }

        var children = new List<JsonObject>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not JsonObject child)
            {
                Problem(ownerId, ownerType, $"Item {i + 1} of its '{member}' is not an activity object.");
            }
            else if (NonEmpty(child["id"]) is null)
            {
                Problem(null, ElsaJson.String(child["type"]), $"Item {i + 1} of the '{member}' of '{ownerId}' has no id; every Elsa activity needs one.");
            }
            else
            {
                children.Add(child);
            }
        }

        return children;
    }

    private List<ElsaConnection> ReadConnections(JsonObject flowchart, string id, string? type, Dictionary<string, JsonObject> activities)
    {
        var connections = new List<ElsaConnection>();
        var items = ElsaJson.Array(flowchart["connections"]) ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var connection = ElsaConnection.Read(items[i]);
            if (connection is null)
            {
                Problem(id, type, $"Connection {i + 1} of the flowchart does not name both a source and a target activity.");
                continue;
            }

            var sourceType = activities.TryGetValue(connection.Source, out var source) ? ElsaJson.String(source["type"]) : null;
            var unknown = new[] { connection.Source, connection.Target }.Where(a => !activities.ContainsKey(a)).Distinct().ToList();
            if (unknown.Count > 0)
            {
                Problem(connection.Source, sourceType,
                    $"Connection {i + 1} ({connection.Source} -> {connection.Target}) points at {string.Join(" and ", unknown.Select(a => $"'{a}'"))}, " +
                    $"which is not an activity of flowchart '{id}'. Remove the connection or add the activity, then export again.");
                continue;
            }

            connections.Add(connection);
        }

        return connections;
    }

    /// <summary>The activity Elsa runs first when the flowchart runs without a trigger.</summary>
    private string? StartActivity(JsonObject flowchart, string id, string? type, Dictionary<string, JsonObject> activities, List<string> order, List<string> roots)
    {
        var explicitStart = NonEmpty(flowchart["start"]) ?? NonEmpty(ElsaJson.Object(flowchart["start"])?["id"]);
        if (explicitStart is not null)
        {
            if (activities.ContainsKey(explicitStart))
            {
                return explicitStart;
            }

            Problem(id, type, $"Its start activity '{explicitStart}' is not one of its activities.");
            return null;
        }

        return order.FirstOrDefault(a => ElsaActivityTypes.Classify(ElsaJson.String(activities[a]["type"])) == ElsaActivityKind.Start)
            ?? roots.FirstOrDefault()
            ?? order[0];
    }

    private void CheckStart(string id, string? type, bool nested, string? start, List<string> roots)
    {
        if (start is null)
        {
            return;
        }

        var others = roots.Where(r => r != start).Select(r => $"'{r}'").ToList();
        if (nested && others.Count > 0)
        {
            Problem(id, type,
                $"This nested flowchart has activities without inbound connections besides its start '{start}' ({string.Join(", ", others)}). " +
                "Elsa runs only the start when the flowchart begins, but inlined into the TaskFlow graph every one of them would start, so it cannot be converted faithfully. " +
                $"Connect them to '{start}' or remove them.");
        }
        else if (!nested && (others.Count > 0 || (roots.Count > 0 && !roots.Contains(start))))
        {
            Note(null, null,
                $"Activities {string.Join(", ", roots.Select(r => $"'{r}'"))} have no inbound connections. Elsa starts a run at one activity only " +
                $"(the trigger that fired, else '{start}'); TaskFlow starts every node without inbound edges, so all of them run on every start.");
        }
    }

    /// <summary>Adds the edges for one connection; returns the port it leaves by, or null when it was dropped.</summary>
    private string? Wire(ElsaConnection connection, JsonObject source, ElsaFragment from, ElsaFragment to)
    {
        var sourceType = ElsaJson.String(source["type"]);
        var port = connection.SourcePort;
        switch (ElsaActivityTypes.Classify(sourceType))
        {
            case ElsaActivityKind.Finish or ElsaActivityKind.End:
                Note(connection.Source, sourceType,
                    $"its connection to '{connection.Target}' was dropped: Elsa ends the {(ElsaActivityTypes.Classify(sourceType) == ElsaActivityKind.Finish ? "workflow" : "flowchart")} there and never follows it.");
                return null;

            case ElsaActivityKind.FlowDecision:
                var condition = _decisionConditions[from.Exits[0]];
                if (string.Equals(port, "True", StringComparison.OrdinalIgnoreCase))
                {
                    Connect(from.Exits, to.Entries, condition, "True");
                    return "True";
                }

                if (string.Equals(port, "False", StringComparison.OrdinalIgnoreCase))
                {
                    Connect(from.Exits, to.Entries, ElsaConditions.Not(condition), "False");
                    return "False";
                }

                Problem(connection.Source, sourceType, $"Its connection to '{connection.Target}' leaves by port '{port}', but a FlowDecision only has the ports True and False.");
                return null;

            case ElsaActivityKind.FlowFork:
                // A fork takes every branch, so each one is a plain edge; the branch name is kept as the label.
                var branches = _forkBranches[from.Exits[0]];
                if (branches is not null && (port is null || !branches.Contains(port)))
                {
                    Note(connection.Source, sourceType,
                        $"its connection to '{connection.Target}' leaves by port '{port}', which is not one of its branches ({string.Join(", ", branches)}); Elsa never follows it, so it was dropped.");
                    return null;
                }

                Connect(from.Exits, to.Entries, label: port is null || port == DonePort ? null : port);
                return DonePort;

            default:
                if (from.Exits.Count == 1 && _customExits.TryGetValue(from.Exits[0], out var custom))
                {
                    // A custom activity leaves by the outcome its service reports.
                    var outcome = string.IsNullOrEmpty(port) ? DonePort : port;
                    Connect(from.Exits, to.Entries, CustomPortCondition(custom, outcome), outcome);
                    return outcome;
                }

                if (!string.IsNullOrEmpty(port) && from.Exits.Count == 1 && _ports.TryGetValue(from.Exits[0], out var routes))
                {
                    var route = routes.FirstOrDefault(r => string.Equals(r.Port, port, StringComparison.OrdinalIgnoreCase));
                    if (route is null)
                    {
                        Problem(connection.Source, sourceType,
                            $"Its connection to '{connection.Target}' leaves by port '{port}', which is not one of its ports ({string.Join(", ", routes.Select(r => r.Port))}).");
                        return null;
                    }

                    Connect([route.From], to.Entries, route.Condition, route.Port, route.FromPort);
                    return route.Port;
                }

                if (!string.IsNullOrEmpty(port) && !string.Equals(port, DonePort, StringComparison.OrdinalIgnoreCase))
                {
                    Problem(connection.Source, sourceType,
                        $"Its connection to '{connection.Target}' leaves by port '{port}'; the TaskFlow node it becomes only has the outcome 'done'.");
                    return null;
                }

                Connect(from.Exits, to.Entries);
                return DonePort;
        }
    }
}
