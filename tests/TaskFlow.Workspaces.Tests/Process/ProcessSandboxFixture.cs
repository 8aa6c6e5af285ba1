using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskFlow.Workspaces.Process;

namespace TaskFlow.Workspaces.Tests.Process;

/// <summary>
/// Real bubblewrap and real cgroups: a cgroup parent and a temp folder of their own per test
/// class, both removed at the end, whatever the tests left.
/// </summary>
public sealed class ProcessSandboxFixture : IAsyncLifetime
{
    public ProcessSandboxFixture()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("The process workspace tests need Linux (bubblewrap and cgroup v1).");
        }

        if (HostExecutables.Find("bwrap") is null)
        {
            throw new InvalidOperationException(
                "bubblewrap (bwrap) is not installed, so the process workspace tests cannot run: install the 'bubblewrap' package (apt-get install -y bubblewrap).");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("The process workspace tests create cgroups and must run as root.");
        }

        CgroupParent = $"taskflow-test-{Guid.NewGuid():N}"[..26];

        // The sandbox user must be able to walk down to the workspace folders.
        BaseFolder = Directory.CreateTempSubdirectory("taskflow-process-tests-").FullName;
        File.SetUnixFileMode(BaseFolder, (UnixFileMode)0b111_101_101);
        Provider = CreateProvider();
    }

    public string CgroupParent { get; }

    public string BaseFolder { get; }

    public ProcessWorkspaceProvider Provider { get; }

    public ProcessWorkspaceProvider CreateProvider(Action<ProcessWorkspaceOptions>? configure = null)
    {
        var options = new ProcessWorkspaceOptions { CgroupParent = CgroupParent };
        configure?.Invoke(options);
        return new ProcessWorkspaceProvider(Options.Create(options), NullLogger<ProcessWorkspaceProvider>.Instance, TimeProvider.System);
    }

    /// <summary>A folder outside every workspace, removed with the fixture.</summary>
    public string NewHostFolder()
    {
        var folder = Path.Combine(BaseFolder, $"host-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public async Task<TestWorkspace> CreateWorkspaceAsync(WorkspaceLimits? limits = null, ProcessWorkspaceProvider? provider = null)
    {
        provider ??= Provider;
        var id = $"t-{Guid.NewGuid():N}"[..14];
        var folder = Path.Combine(BaseFolder, id);
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        var info = new WorkspaceInfo(id, IsolationMode.Process, folder, limits ?? new WorkspaceLimits(), new WorkspaceOwner(), now, now.AddHours(1));
        var workspace = new TestWorkspace(provider, info);
        try
        {
            await provider.CreateAsync(info, CancellationToken.None);
            return workspace;
        }
        catch
        {
            await workspace.DisposeAsync();
            throw;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var id in await Provider.ListOwnedAsync(CancellationToken.None))
            {
                await Provider.DestroyAsync(id, CancellationToken.None);
            }
        }
        finally
        {
            foreach (var controller in CgroupSet.Controllers)
            {
                var parent = Path.Combine(new ProcessWorkspaceOptions().CgroupRoot, controller, CgroupParent);
                if (Directory.Exists(parent))
                {
                    Directory.Delete(parent, recursive: false);
                }
            }

            Directory.Delete(BaseFolder, recursive: true);
        }
    }
}

/// <summary>One workspace a test made; disposing it destroys the sandbox and removes the folder.</summary>
public sealed class TestWorkspace(ProcessWorkspaceProvider provider, WorkspaceInfo info) : IAsyncDisposable
{
    public WorkspaceInfo Info { get; } = info;

    public string Folder => Info.Folder;

    internal CgroupSet Cgroups => provider.WorkspaceCgroups(Info.Id);

    public Task<ExecResult> ExecAsync(string script, string? stdin = null, TimeSpan? timeout = null, int maxOutputBytes = ExecRequest.DefaultMaxOutputBytes, IReadOnlyDictionary<string, string>? environment = null, string shell = "sh", CancellationToken cancellationToken = default) =>
        provider.ExecAsync(Info, new ExecRequest([shell, "-c", script], environment, stdin, timeout ?? TimeSpan.FromSeconds(30), maxOutputBytes), cancellationToken);

    public string ReadCgroup(string controller, string file) => File.ReadAllText(Path.Combine(Cgroups.PathOf(controller), file)).Trim();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await provider.DestroyAsync(Info.Id, CancellationToken.None);
        }
        finally
        {
            if (Directory.Exists(Folder))
            {
                Directory.Delete(Folder, recursive: true);
            }
        }
    }
}
