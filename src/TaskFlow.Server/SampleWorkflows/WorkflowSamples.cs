using System.Text.Json.Nodes;
using TaskFlow.Core.Serialization;

namespace TaskFlow.Server.SampleWorkflows;

/// <summary>
/// The sample workflows of the repository's <c>workflows/</c> folder, which the build copies next
/// to the server's assembly under <c>samples/</c>, so a new server has something to open. They
/// are read when asked for (a handful of small files); a file that does not parse is left out
/// rather than failing the list.
/// </summary>
internal sealed class WorkflowSamples(string folder)
{
    public const string FolderName = "samples";

    public static WorkflowSamples Installed { get; } = new(Path.Combine(AppContext.BaseDirectory, FolderName));

    public IReadOnlyList<WorkflowSample> List() =>
        [.. Files().Select(Read).OfType<WorkflowSample>().OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>The sample with this id, or null.</summary>
    public WorkflowSample? Find(string id) => List().FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.Ordinal));

    private IEnumerable<string> Files() => Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.json") : [];

    private static WorkflowSample? Read(string file)
    {
        var json = File.ReadAllText(file);
        if (WorkflowJson.TryParse(json, out _) is not { } definition)
        {
            return null;
        }

        return new WorkflowSample(definition.Id, definition.Name ?? definition.Id, definition.Description, definition.Nodes.Count, JsonNode.Parse(json)!);
    }
}

/// <summary>One sample: what the list shows, and the definition to open.</summary>
internal sealed record WorkflowSample(string Id, string Name, string? Description, int Nodes, JsonNode Definition);
