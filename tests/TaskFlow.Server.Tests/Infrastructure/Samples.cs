namespace TaskFlow.Server.Tests.Infrastructure;

/// <summary>The sample definitions in the repository's <c>workflows/</c> folder.</summary>
public static class Samples
{
    public static string Folder { get; } = Path.Combine(RepositoryRoot(), "workflows");

    public static string Read(string name) => File.ReadAllText(Path.Combine(Folder, name + ".json"));

    /// <summary>The Elsa 3 export fixtures of the import tests.</summary>
    public static string ElsaFolder { get; } = Path.Combine(RepositoryRoot(), "tests", "TaskFlow.Core.Tests", "Import", "Elsa");

    public static string ReadElsa(string name) => File.ReadAllText(Path.Combine(ElsaFolder, name + ".json"));

    /// <summary>A small valid definition: a → b, both transforms.</summary>
    public static string Pair(string id, string value = "x") => """
        {
          "id": "ID",
          "nodes": [
            { "id": "a", "type": "transform", "inputs": { "value": "VALUE" } },
            { "id": "b", "type": "transform", "inputs": { "value": "{{ nodes.a.output }}" } }
          ],
          "edges": [ { "from": "a", "to": "b" } ]
        }
        """.Replace("ID", id, StringComparison.Ordinal).Replace("VALUE", value, StringComparison.Ordinal);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TaskFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"TaskFlow.sln not found above {AppContext.BaseDirectory}.");
    }
}
