using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.HttpTriggers;

/// <summary>
/// Finds <c>http</c> triggers that claim a route and method another trigger already serves: within
/// one definition, or against the other published definitions. The definition being saved is the
/// one refused, naming the definition that holds the route first.
/// </summary>
public static class HttpRouteConflicts
{
    /// <summary>The <c>http</c> triggers of a definition whose path parses, with their index and methods.</summary>
    public static IEnumerable<(int Index, HttpRoute Route, IReadOnlyList<string> Methods)> Routes(WorkflowDefinition definition)
    {
        for (var i = 0; i < definition.Triggers.Count; i++)
        {
            var trigger = definition.Triggers[i];
            if (trigger.Type == "http" && HttpRoute.TryParse(trigger.Path, out _) is { } route)
            {
                yield return (i, route, trigger.Methods is { Count: > 0 } methods ? methods : HttpRoute.DefaultMethods);
            }
        }
    }

    /// <summary>Every collision of <paramref name="definition"/>'s routes with each other and with <paramref name="published"/> (other ids only).</summary>
    public static IReadOnlyList<ValidationProblem> Find(WorkflowDefinition definition, IEnumerable<WorkflowDefinition> published)
    {
        var problems = new List<ValidationProblem>();
        var own = Routes(definition).ToList();
        for (var a = 0; a < own.Count; a++)
        {
            for (var b = 0; b < a; b++)
            {
                if (own[a].Route.CollidesWith(own[b].Route) && own[a].Methods.Intersect(own[b].Methods).FirstOrDefault() is { } method)
                {
                    problems.Add(Problem(own[a].Index, method, own[a].Route, $"trigger #{own[b].Index + 1} of this definition ('{own[b].Route}')"));
                }
            }
        }

        foreach (var other in published.Where(p => !string.Equals(p.Id, definition.Id, StringComparison.Ordinal)))
        {
            foreach (var theirs in Routes(other))
            {
                foreach (var mine in own)
                {
                    if (mine.Route.CollidesWith(theirs.Route) && mine.Methods.Intersect(theirs.Methods).FirstOrDefault() is { } method)
                    {
                        problems.Add(Problem(mine.Index, method, mine.Route, $"published definition '{other.Id}' (trigger #{theirs.Index + 1}, '{theirs.Route}')"));
                    }
                }
            }
        }

        return problems;
    }

    private static ValidationProblem Problem(int index, string method, HttpRoute route, string holder) => new(
        "trigger.http.duplicate",
        $"trigger #{index + 1}",
        $"Trigger #{index + 1} claims {method} /workflows/{route}, which {holder} already serves. Change the path or method, or delete the other definition first.");
}
