using System.Text;
using TaskFlow.Workspaces.Process;

namespace TaskFlow.Workspaces.Tests.Process;

/// <summary>The provider's contract, against real bubblewrap and real cgroups.</summary>
public sealed class ProcessWorkspaceProviderTests(ProcessSandboxFixture fixture) : IClassFixture<ProcessSandboxFixture>
{
    [Fact]
    public async Task CheckAvailableAsync_OnThisHost_ReturnsNull()
    {
        Assert.Null(await fixture.Provider.CheckAvailableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CreateExecDestroy_RunsInWorkspaceWithLimits_AndLeavesNothing()
    {
        var limits = new WorkspaceLimits { MemoryBytes = 96L * 1024 * 1024, Cpus = 1.5, Pids = 40 };
        var workspace = await fixture.CreateWorkspaceAsync(limits);
        var id = workspace.Info.Id;
        try
        {
            Assert.Equal((96L * 1024 * 1024).ToString(), workspace.ReadCgroup("memory", "memory.limit_in_bytes"));
            Assert.Equal("42", workspace.ReadCgroup("pids", "pids.max"));
            Assert.Equal("150000", workspace.ReadCgroup("cpu", "cpu.cfs_quota_us"));
            Assert.Equal("100000", workspace.ReadCgroup("cpu", "cpu.cfs_period_us"));
            Assert.Contains(id, await fixture.Provider.ListOwnedAsync(CancellationToken.None));

            var result = await workspace.ExecAsync("pwd; echo hello > greeting; cat greeting; grep -E '^[0-9]+:(memory|pids):' /proc/self/cgroup | wc -l");

            Assert.True(result.Succeeded, result.FailureReason + result.Stderr);
            Assert.Equal("/workspace\nhello\n2\n", result.Stdout);
            Assert.Equal("", result.Stderr);
            Assert.Equal("hello\n", await File.ReadAllTextAsync(Path.Combine(workspace.Folder, "greeting")));

            // The command's own cgroup is gone once it has ended; only the workspace's remains.
            Assert.Empty(Directory.GetDirectories(workspace.Cgroups.PathOf("pids")));
            Assert.Empty(workspace.Cgroups.Processes());
        }
        finally
        {
            await workspace.DisposeAsync();
        }

        Assert.DoesNotContain(id, await fixture.Provider.ListOwnedAsync(CancellationToken.None));
        Assert.All(CgroupSet.Controllers, c => Assert.False(Directory.Exists(workspace.Cgroups.PathOf(c)), $"{c} cgroup left behind"));

        // Destroying again, or a workspace that never existed, is fine.
        await fixture.Provider.DestroyAsync(id, CancellationToken.None);
        await fixture.Provider.DestroyAsync("never-created", CancellationToken.None);
    }

    [Fact]
    public async Task ExecAsync_NonZeroExit_IsReportedAsExited()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();

        var result = await workspace.ExecAsync("echo partial; exit 3");

        Assert.Equal(ExecTermination.Exited, result.Termination);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("partial\n", result.Stdout);
        Assert.Equal("exited with code 3", result.FailureReason);
    }

    [Fact]
    public async Task ExecAsync_KilledBySignal_IsReportedAsKilled()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();

        var result = await workspace.ExecAsync("kill -TERM $$");

        Assert.Equal(ExecTermination.Killed, result.Termination);
        Assert.Equal(128 + 15, result.ExitCode);
        Assert.Equal("killed by signal 15", result.FailureReason);
    }

    [Fact]
    public async Task ExecAsync_OutputBeyondCap_IsCountedButNotKept()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();

        var result = await workspace.ExecAsync("head -c 100000 /dev/zero | tr '\\0' a; echo oops >&2", maxOutputBytes: 1000);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(new string('a', 1000), result.Stdout);
        Assert.Equal(100_000, result.StdoutBytes);
        Assert.True(result.StdoutTruncated);
        Assert.Equal("oops\n", result.Stderr);
        Assert.Equal(5, result.StderrBytes);
        Assert.False(result.StderrTruncated);
    }

    [Fact]
    public async Task ExecAsync_Stdin_IsWrittenThenClosed()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();

        var echoed = await workspace.ExecAsync("cat", stdin: "hello\nwörld\n");
        var large = await workspace.ExecAsync("wc -c", stdin: new string('x', 1024 * 1024));
        var none = await workspace.ExecAsync("cat; echo end", timeout: TimeSpan.FromSeconds(10));

        Assert.Equal("hello\nwörld\n", echoed.Stdout);
        Assert.True(large.Succeeded, $"{large.FailureReason}: {large.Stderr}");
        Assert.Equal("1048576", large.Stdout.Trim());
        Assert.Equal(ExecTermination.Exited, none.Termination);
        Assert.Equal("end\n", none.Stdout);
    }

    [Fact]
    public async Task ExecAsync_Environment_IsMinimalPlusRequested()
    {
        const string HostVariable = "TASKFLOW_PROCESS_TEST_HOST_SECRET";
        Environment.SetEnvironmentVariable(HostVariable, "leaked");
        try
        {
            await using var workspace = await fixture.CreateWorkspaceAsync();

            var result = await workspace.ExecAsync("env | sort", environment: new Dictionary<string, string> { ["GREETING"] = "hi there" });

            var variables = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0]).ToList();
            Assert.Contains("GREETING=hi there", result.Stdout.Split('\n'));
            Assert.Contains("HOME=/workspace", result.Stdout.Split('\n'));
            Assert.Contains(variables, v => v == "PATH");
            Assert.DoesNotContain("leaked", result.Stdout, StringComparison.Ordinal);

            // Only what the sandbox sets and what sh itself adds.
            Assert.All(variables, v => Assert.Contains(v, new[] { "GREETING", "HOME", "PATH", "PWD", "SHLVL", "_", "OLDPWD" }));
        }
        finally
        {
            Environment.SetEnvironmentVariable(HostVariable, null);
        }
    }

    [Fact]
    public async Task ExecAsync_Timeout_KillsBusyLoopAndBackgroundedChild()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();

        // A marker no other process on the host has in its command line.
        var marker = Random.Shared.Next(100_000, 999_999).ToString();
        var result = await workspace.ExecAsync($"sleep {marker} & echo started; while :; do :; done", timeout: TimeSpan.FromSeconds(1));

        Assert.Equal("started\n", result.Stdout);
        Assert.Equal(ExecTermination.TimedOut, result.Termination);
        Assert.StartsWith("killed at its timeout", result.FailureReason);
        Assert.InRange(result.Duration, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
        Assert.Empty(workspace.Cgroups.Processes());
        Assert.DoesNotContain(HostCommandLines(), c => c.Contains($"sleep\0{marker}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecAsync_TimeoutOfOneCommand_LeavesAnotherInSameWorkspaceRunning()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();

        var survivor = workspace.ExecAsync("sleep 1.5; echo survived", timeout: TimeSpan.FromSeconds(30));
        var hog = await workspace.ExecAsync("while :; do :; done", timeout: TimeSpan.FromMilliseconds(500));

        Assert.Equal(ExecTermination.TimedOut, hog.Termination);
        var result = await survivor;
        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal("survived\n", result.Stdout);
    }

    [Fact]
    public async Task ExecAsync_CalledFromThreadThatExits_CommandKeepsRunning()
    {
        // --die-with-parent binds a sandbox to the thread that forked it. A caller's thread (a pool
        // thread, a test runner's thread) may exit while its command runs; the command must not
        // die with it.
        await using var workspace = await fixture.CreateWorkspaceAsync();
        Task<ExecResult>? exec = null;
        var caller = new Thread(() =>
        {
            exec = workspace.ExecAsync("sleep 1; echo finished");
            Thread.Sleep(300);
        });
        caller.Start();
        caller.Join();

        var result = await exec!;

        Assert.True(result.Succeeded, $"{result.FailureReason}: {result.Stderr}");
        Assert.Equal("finished\n", result.Stdout);
    }

    [Fact]
    public async Task ExecAsync_Cancelled_StopsCommand()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var result = await workspace.ExecAsync("sleep 60", cancellationToken: cancel.Token);

        Assert.Equal(ExecTermination.Cancelled, result.Termination);
        Assert.True(result.Duration < TimeSpan.FromSeconds(15), $"took {result.Duration}");
        Assert.Empty(workspace.Cgroups.Processes());
    }

    [Fact]
    public async Task ExecAsync_PidNamespace_ShowsOnlyTheSandbox()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();

        var result = await workspace.ExecAsync("echo $$; ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '");

        var lines = result.Stdout.Split('\n');
        Assert.InRange(int.Parse(lines[0]), 1, 3);
        var pids = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();

        // bubblewrap's init, sh, ls, grep, sort, tr: a handful, all numbered from 1.
        Assert.InRange(pids.Count, 2, 8);
        Assert.All(pids, p => Assert.InRange(p, 1, 20));
    }

    [Fact]
    public async Task ExecAsync_UnknownProgram_FailsWithReason()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();

        var result = await fixture.Provider.ExecAsync(workspace.Info, new ExecRequest(["no-such-program"]), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("no-such-program", result.Stderr);
    }

    [Fact]
    public async Task ExecAsync_AfterDestroy_Throws()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        await fixture.Provider.DestroyAsync(workspace.Info.Id, CancellationToken.None);
        try
        {
            var error = await Assert.ThrowsAsync<WorkspaceException>(() => workspace.ExecAsync("true"));
            Assert.Contains("destroyed", error.Message);
        }
        finally
        {
            await workspace.DisposeAsync();
        }
    }

    [Fact]
    public async Task CreateAsync_WithoutBubblewrap_ThrowsUnavailable()
    {
        var provider = fixture.CreateProvider(o => o.BubblewrapPath = "/nonexistent/bwrap");

        var error = await Assert.ThrowsAsync<WorkspaceUnavailableException>(() => fixture.CreateWorkspaceAsync(provider: provider));
        var check = await provider.CheckAvailableAsync(CancellationToken.None);

        Assert.Equal(IsolationMode.Process, error.Mode);
        Assert.Contains("install the 'bubblewrap' package", error.Message);
        Assert.Contains("bubblewrap", check);
    }

    [Fact]
    public async Task CreateAsync_CgroupsUnavailable_FailsUnlessLimitsAreOptional()
    {
        // A plain folder is not a cgroup hierarchy: the controllers look unmounted.
        var notCgroups = fixture.NewHostFolder();
        var strict = fixture.CreateProvider(o => o.CgroupRoot = notCgroups);
        var lenient = fixture.CreateProvider(o => (o.CgroupRoot, o.RequireLimits) = (notCgroups, false));

        var error = await Assert.ThrowsAsync<WorkspaceUnavailableException>(() => fixture.CreateWorkspaceAsync(provider: strict));
        Assert.Contains("cgroup", error.Reason);
        Assert.Contains("RequireLimits", error.Reason);
        Assert.Contains("cgroup", await strict.CheckAvailableAsync(CancellationToken.None));

        await using var workspace = await fixture.CreateWorkspaceAsync(provider: lenient);
        var result = await lenient.ExecAsync(workspace.Info, new ExecRequest(["sh", "-c", "echo unlimited"]), CancellationToken.None);
        Assert.Equal("unlimited\n", result.Stdout);
        Assert.Null(await lenient.CheckAvailableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CreateAsync_CgroupV2Hierarchy_PutsTheWorkspaceAndItsLimitsThere()
    {
        // A fake cgroup v2 tree (this machine's controllers are bound to cgroup v1, see
        // CgroupSetTests): the provider finds the version from the tree's shape and lays the
        // workspace out in it. No command runs here: a fake tree confines nothing.
        using var tree = FakeCgroupTree.V2();
        var provider = fixture.CreateProvider(o => o.CgroupRoot = tree.Root);
        var id = $"t-{Guid.NewGuid():N}"[..14];
        var folder = fixture.NewHostFolder();
        var now = DateTimeOffset.UtcNow;

        await provider.CreateAsync(
            new WorkspaceInfo(id, IsolationMode.Process, folder, new WorkspaceLimits { MemoryBytes = 64L * 1024 * 1024, Cpus = 0.5, Pids = 10 }, new WorkspaceOwner(), now, now.AddHours(1)),
            CancellationToken.None);

        Assert.Equal((CgroupVersion.V2, (string?)null), provider.Cgroups);
        var workspace = Path.Combine(fixture.CgroupParent, id);
        Assert.Equal((64L * 1024 * 1024).ToString(), tree.Read(workspace, "memory.max"));
        Assert.Equal("50000 100000", tree.Read(workspace, "cpu.max"));
        Assert.Equal("12", tree.Read(workspace, "pids.max"));
        Assert.Equal([id], await provider.ListOwnedAsync(CancellationToken.None));
    }

    [Fact]
    public void Cgroups_OnThisHost_IsTheVersionMountedAtTheRoot()
    {
        // The test machines have cgroup v1 (a tmpfs at /sys/fs/cgroup, a folder per controller);
        // a v2 host has cgroup.controllers there instead.
        var expected = File.Exists("/sys/fs/cgroup/cgroup.controllers") ? CgroupVersion.V2 : CgroupVersion.V1;

        Assert.Equal((expected, (string?)null), fixture.Provider.Cgroups);
    }

    [Fact]
    public async Task ListOwnedAsync_FindsLeftoverCgroups()
    {
        // What a crash leaves: cgroups with no workspace record, found and reclaimed.
        await using var workspace = await fixture.CreateWorkspaceAsync();
        var leftover = fixture.Provider.WorkspaceCgroups("crashed-1");
        leftover.CreateFolders();
        try
        {
            var owned = await fixture.Provider.ListOwnedAsync(CancellationToken.None);

            Assert.Contains(workspace.Info.Id, owned);
            Assert.Contains("crashed-1", owned);
        }
        finally
        {
            await fixture.Provider.DestroyAsync("crashed-1", CancellationToken.None);
        }

        Assert.DoesNotContain("crashed-1", await fixture.Provider.ListOwnedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Dispose_RemovesTheEmptyParentCgroups_AndKeepsThoseWithWorkspaces()
    {
        var parent = "taskflow-dispose-" + Guid.NewGuid().ToString("N")[..8];
        var root = new ProcessWorkspaceOptions().CgroupRoot;
        string[] parents = [.. CgroupSet.Controllers.Select(c => Path.Combine(root, c, parent))];

        // A workspace still there keeps its parent: workspaces outlive the process on purpose.
        var provider = fixture.CreateProvider(o => o.CgroupParent = parent);
        var workspace = await fixture.CreateWorkspaceAsync(provider: provider);
        provider.Dispose();
        Assert.All(parents, p => Assert.True(Directory.Exists(p), $"{p} was removed with a workspace in it"));

        await workspace.DisposeAsync();
        var next = fixture.CreateProvider(o => o.CgroupParent = parent);
        Assert.All(parents, p => Assert.True(Directory.Exists(p)));
        next.Dispose();
        Assert.All(parents, p => Assert.False(Directory.Exists(p), $"{p} is left behind"));
    }

    internal static List<string> HostCommandLines()
    {
        var lines = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out _))
            {
                try
                {
                    lines.Add(Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "cmdline"))));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Exited meanwhile.
                }
            }
        }

        return lines;
    }
}
