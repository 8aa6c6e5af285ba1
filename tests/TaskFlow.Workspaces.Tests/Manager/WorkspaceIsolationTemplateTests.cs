namespace TaskFlow.Workspaces.Tests.Manager;

/// <summary>The report's workspace-isolation-mcp configuration (Appendix A) read as settings.</summary>
public sealed class WorkspaceIsolationTemplateTests
{
    [Fact]
    public void Apply_TheReportsTemplate_GivesItsLimitsAndModes()
    {
        var options = new WorkspaceOptions { MaxWorkspaces = 3, WorkspaceTimeout = TimeSpan.FromMinutes(1), AllowNetwork = true };

        var problems = WorkspaceIsolationTemplate.Apply(File.ReadAllText(TemplatePath()), options);

        Assert.Empty(problems);
        Assert.Equal(10, options.MaxWorkspaces);
        Assert.Equal(TimeSpan.FromSeconds(3600), options.WorkspaceTimeout);
        Assert.Equal([IsolationMode.Process, IsolationMode.Container, IsolationMode.Vm], options.AllowedIsolation);
        Assert.Equal([CleanupMode.Immediate, CleanupMode.Lazy, CleanupMode.Scheduled], options.AllowedCleanup);
        Assert.False(options.AllowNetwork);
    }

    [Fact]
    public void Apply_ModesNarrowed_MovesTheDefaultsIntoThem()
    {
        var options = new WorkspaceOptions { DefaultIsolation = IsolationMode.Container, Cleanup = CleanupMode.Immediate };

        var problems = WorkspaceIsolationTemplate.Apply("""
            { "capabilities": { "tools": { "create_workspace": { "isolation_modes": ["process"] }, "destroy_workspace": { "cleanup_modes": ["lazy"] } } } }
            """, options);

        Assert.Empty(problems);
        Assert.Equal((IsolationMode.Process, CleanupMode.Lazy), (options.DefaultIsolation, options.Cleanup));
    }

    [Fact]
    public void Apply_BadTemplate_ListsEveryProblem_AndChangesNothingItRefused()
    {
        var options = new WorkspaceOptions();

        var problems = WorkspaceIsolationTemplate.Apply("""
            { "capabilities": { "resources": { "max_workspaces": 0, "workspace_timeout": "an hour" },
                                "tools": { "create_workspace": { "isolation_modes": ["process", "hologram"] }, "destroy_workspace": { "cleanup_modes": [] } } },
              "security": { "network_isolation": "yes", "process_isolation": false } }
            """, options);

        Assert.Equal(
        [
            "capabilities.resources.max_workspaces is 0; give a whole number from 1 to 10000",
            "capabilities.resources.workspace_timeout is \"an hour\"; give a whole number from 1 to 31536000",
            "capabilities.tools.create_workspace.isolation_modes has \"hologram\"; use container, process, vm, auto",
            "capabilities.tools.destroy_workspace.cleanup_modes must be a non-empty list of immediate, lazy, scheduled",
            "security.network_isolation is \"yes\"; give true or false",
            "security.process_isolation is false, but workspaces always isolate files and processes",
        ], problems);
        Assert.Equal(10, options.MaxWorkspaces);
        Assert.Empty(options.AllowedIsolation);
    }

    [Fact]
    public void Apply_NotJson_SaysSo()
    {
        var problems = WorkspaceIsolationTemplate.Apply("{ nope", new WorkspaceOptions());

        Assert.StartsWith("the template is not valid JSON: ", Assert.Single(problems), StringComparison.Ordinal);
    }

    private static string TemplatePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "config", "workspace-isolation-mcp.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("config/workspace-isolation-mcp.json was not found above the test's folder.");
    }
}
