using TaskFlow.Workspaces.Container;

namespace TaskFlow.Workspaces.Tests.Container;

/// <summary>A workspace made for one test: its container and its folder in the temp folder, both gone after disposal.</summary>
public sealed class TestWorkspace(ContainerWorkspaceProvider provider, WorkspaceInfo info) : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public WorkspaceInfo Info { get; } = info;

    public string Id => Info.Id;

    public string Folder => Info.Folder;

    public static WorkspaceInfo NewInfo(WorkspaceLimits? limits = null, WorkspaceOwner? owner = null, string? image = null)
    {
        var id = "t" + Guid.NewGuid().ToString("N")[..12];
        var folder = Path.Combine(Path.GetTempPath(), "taskflow-ws-test-" + id);
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        return new WorkspaceInfo(id, IsolationMode.Container, folder, limits ?? new WorkspaceLimits(), owner ?? new WorkspaceOwner("instance-1", "node-a"), now, now.AddHours(1), image);
    }

    public static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public Task<ExecResult> ExecAsync(params string[] command) =>
        provider.ExecAsync(Info, new ExecRequest(command, Timeout: DefaultTimeout), CancellationToken.None);

    public Task<ExecResult> ShAsync(string script) => ExecAsync("sh", "-c", script);

    public Task<ExecResult> ExecAsync(ExecRequest request, CancellationToken cancellationToken = default) =>
        provider.ExecAsync(Info, request, cancellationToken);

    /// <summary>
    /// The command lines running in the container (init and the listing's own included), without
    /// the exec agent's: the agent, and the helpers it runs for the listing command itself.
    /// </summary>
    public async Task<List<string>> ProcessesAsync()
    {
        var ps = await ShAsync("ps -o pid,args");
        Assert.True(ps.Succeeded, $"ps failed: {ps.FailureReason}: {ps.Stderr}");
        return ps.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1)
            .Where(p => !p.Contains("taskflow-exec-agent", StringComparison.Ordinal) && !p.Contains("/tmp/.taskflow-agent/", StringComparison.Ordinal))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await provider.DestroyAsync(Id, CancellationToken.None);
        }
        finally
        {
            DeleteFolder(Folder);
        }
    }
}
