using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>
/// One flowchart connection. Elsa 3 writes <c>{"source":{"activity":"a","port":"Done"},"target":{"activity":"b","port":"In"}}</c>;
/// earlier 3.x releases wrote <c>{"source":"a","target":"b","sourcePort":"Done","targetPort":"In"}</c>. Both may occur in one file.
/// </summary>
internal sealed record ElsaConnection(string Source, string? SourcePort, string Target, string? TargetPort)
{
    /// <summary>Null when the connection names no source or no target.</summary>
    public static ElsaConnection? Read(JsonNode? node)
    {
        if (node is not JsonObject connection)
        {
            return null;
        }

        var (source, sourcePort) = ReadEndpoint(connection["source"], connection["sourcePort"]);
        var (target, targetPort) = ReadEndpoint(connection["target"], connection["targetPort"]);
        return string.IsNullOrEmpty(source) || string.IsNullOrEmpty(target) ? null : new ElsaConnection(source, sourcePort, target, targetPort);
    }

    private static (string? Activity, string? Port) ReadEndpoint(JsonNode? endpoint, JsonNode? legacyPort) => endpoint switch
    {
        JsonObject current => (ElsaJson.String(current["activity"]), ElsaJson.String(current["port"])),
        _ => (ElsaJson.String(endpoint), ElsaJson.String(legacyPort)),
    };
}
