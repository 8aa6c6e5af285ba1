using System.Collections;
using System.Globalization;

namespace TaskFlow.Engine.Dispatch;

/// <summary>
/// The logging scope of one node execution: <c>InstanceId</c>, <c>NodeId</c> and <c>Attempt</c>
/// as named values for structured sinks, and "instance X node Y attempt N" as text.
/// </summary>
internal sealed class NodeLogScope(string instanceId, string nodeId, int attempt) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("InstanceId", instanceId),
        1 => new("NodeId", nodeId),
        2 => new("Attempt", attempt),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"instance {instanceId} node {nodeId} attempt {attempt}");
}
