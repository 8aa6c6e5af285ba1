namespace TaskFlow.Designer.Tests.Infrastructure;

/// <summary>Where the tests keep what a person may want to look at afterwards.</summary>
public static class Artifacts
{
    /// <summary>artifacts/test-results/designer-screenshots/ in the repository (found from the test's folder upwards).</summary>
    public static string Screenshots { get; } = Path.Combine(RepositoryRoot(), "artifacts", "test-results", "designer-screenshots");

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "TaskFlow.sln")))
            {
                return folder.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}
