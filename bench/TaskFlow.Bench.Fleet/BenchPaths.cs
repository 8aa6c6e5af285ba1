namespace TaskFlow.Bench.Fleet;

/// <summary>Where the repository's fleet folder and TaskFlow's built server are, found from the bench's own build output.</summary>
internal static class BenchPaths
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"TaskFlow.sln was not found above {AppContext.BaseDirectory}: pass --servers and --taskflow-server.");
    }

    public static string ServersFolder(string? given) => Path.GetFullPath(given ?? Path.Combine(RepositoryRoot(), "bench", ".fleet-servers"));

    /// <summary>taskflow.dll (src/TaskFlow.Server) of the same configuration as this bench (the project reference builds it first).</summary>
    public static string TaskFlowServer(string? given) => Path.GetFullPath(given ?? Path.Combine(RepositoryRoot(), "src", "TaskFlow.Server", "bin", Configuration, "net10.0", "taskflow.dll"));

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
