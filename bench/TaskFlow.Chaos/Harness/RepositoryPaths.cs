namespace TaskFlow.Chaos.Harness;

/// <summary>Finds the repository's own files (scripts, sample workflows) from the build output.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding TaskFlow.sln, searched upward from the running assembly.</summary>
    public static string Root { get; } = FindRoot();

    public static string Script(string name) => Path.Combine(Root, "scripts", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"TaskFlow.sln was not found above {AppContext.BaseDirectory}; run the chaos scenarios from a build inside the repository.");
    }
}
