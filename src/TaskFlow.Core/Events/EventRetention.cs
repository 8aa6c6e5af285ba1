using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Events;

/// <summary>
/// How long an event that matched no waiting node is kept: the longest <c>earlier</c> of the
/// event nodes that wait for its name in the given (published) definitions; null when none
/// asks for it, and the event is dropped. Only a literal name counts: a templated name is not
/// known until the node runs.
/// </summary>
public static class EventRetention
{
    public static TimeSpan? KeepFor(string name, IEnumerable<WorkflowDefinition> definitions)
    {
        TimeSpan? keep = null;
        foreach (var node in definitions.SelectMany(d => d.Nodes).Where(n => n.Type == BuiltInActivities.Event))
        {
            if (node.Inputs["name"]?.ToString() == name
                && Duration.TryParse(node.Inputs["earlier"]?.ToString(), out var earlier)
                && earlier > TimeSpan.Zero
                && (keep is null || earlier > keep))
            {
                keep = earlier;
            }
        }

        return keep;
    }
}
