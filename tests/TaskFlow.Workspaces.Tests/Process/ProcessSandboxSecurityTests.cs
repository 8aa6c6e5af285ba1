using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TaskFlow.Workspaces.Process;
using SystemProcess = System.Diagnostics.Process;

namespace TaskFlow.Workspaces.Tests.Process;

/// <summary>
/// What a hostile command can do from inside a process workspace: each test attacks, then checks
/// that the host is untouched and that the failure says why.
/// </summary>
public sealed partial class ProcessSandboxSecurityTests(ProcessSandboxFixture fixture) : IClassFixture<ProcessSandboxFixture>
{
    [Fact]
    public async Task WriteOutsideWorkspace_FailsReadOnly_AndHostIsUntouched()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();
        var name = $"taskflow-escape-{Guid.NewGuid():N}";
        string[] targets = [$"/usr/{name}", $"/etc/{name}", $"/{name}", $"/usr/bin/{name}"];

        foreach (var target in targets)
        {
            var result = await workspace.ExecAsync($"echo pwned > {target}");

            Assert.False(result.Succeeded, $"writing {target} succeeded");
            Assert.Contains("Read-only file system", result.Stderr);
            Assert.False(File.Exists(target), $"{target} appeared on the host");
        }
    }

    [Fact]
    public async Task Tmp_IsPrivate_AndDoesNotReachHostTmp()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();
        var name = $"taskflow-tmp-{Guid.NewGuid():N}";
        var hostFile = Path.Combine("/tmp", $"taskflow-host-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(hostFile, "host");
        try
        {
            var result = await workspace.ExecAsync($"echo inside > /tmp/{name} && cat /tmp/{name} && ls -A /tmp && cat {hostFile}");

            Assert.StartsWith($"inside\n{name}\n", result.Stdout);
            Assert.Contains("No such file or directory", result.Stderr);
            Assert.False(File.Exists(Path.Combine("/tmp", name)), "the sandbox's /tmp file reached the host's /tmp");
        }
        finally
        {
            File.Delete(hostFile);
        }
    }

    [Fact]
    public async Task HostFilesOutsideWorkspace_AreNotReadable()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync();
        var secretFolder = fixture.NewHostFolder();
        var secret = Path.Combine(secretFolder, "secret.txt");
        await File.WriteAllTextAsync(secret, "s3cret-value");

        foreach (var path in new[] { secret, "/etc/shadow", "/etc/passwd", "/root/.bashrc", "/proc/1/root/etc/hostname" })
        {
            var result = await workspace.ExecAsync($"cat {path}");

            Assert.False(result.Succeeded, $"{path} was readable: {result.Stdout}");
            Assert.Matches("No such file or directory|Permission denied", result.Stderr);
            Assert.DoesNotContain("s3cret-value", result.Stdout);
        }

        // No /sys: nothing to move a process out of its cgroup with.
        var sys = await workspace.ExecAsync("ls /sys/fs/cgroup");
        Assert.Contains("No such file or directory", sys.Stderr);
    }

    [Fact]
    public async Task Network_IsUnreachable_ListenerSeesNoConnection()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync(new WorkspaceLimits { Network = true });
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        // The workspace asks for the network, but the provider does not allow it: still none.
        var result = await workspace.ExecAsync($"echo hello > /dev/tcp/127.0.0.1/{port}", timeout: TimeSpan.FromSeconds(20), shell: "bash");

        Assert.False(result.Succeeded);
        Assert.Contains("Connection refused", result.Stderr);
        await Task.Delay(200);
        Assert.False(listener.Pending(), "the host listener received a connection from the sandbox");
    }

    [Fact]
    public async Task Network_AllowedAndRequested_ReachesHostListener()
    {
        // The control for the test above: with the network shared, the same probe does connect.
        var provider = fixture.CreateProvider(o => o.AllowNetwork = true);
        await using var workspace = await fixture.CreateWorkspaceAsync(new WorkspaceLimits { Network = true }, provider);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();

        var result = await workspace.ExecAsync($"echo hello > /dev/tcp/127.0.0.1/{port}", timeout: TimeSpan.FromSeconds(20), shell: "bash");

        Assert.True(result.Succeeded, result.FailureReason + result.Stderr);
        using var client = await accepted.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(client);
    }

    [Fact]
    public async Task ForkBomb_IsStoppedByPidsLimit_AndHostKeepsWorking()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync(new WorkspaceLimits { Pids = 32, Cpus = 0.5 });

        var result = await workspace.ExecAsync("f() { f & f & wait; }; f", timeout: TimeSpan.FromSeconds(5), maxOutputBytes: 4096);

        // The bomb ends one way or the other: its shells die of failed forks, or the timeout kills it.
        Assert.Contains(result.Termination, new[] { ExecTermination.Exited, ExecTermination.TimedOut });
        Assert.True(result.Duration < TimeSpan.FromSeconds(20), $"took {result.Duration}");
        Assert.Matches("Cannot fork|Resource temporarily unavailable", result.Stderr);
        Assert.Equal("34", workspace.ReadCgroup("pids", "pids.max"));
        var peak = Path.Combine(workspace.Cgroups.PathOf("pids"), "pids.peak");
        if (File.Exists(peak))
        {
            Assert.InRange(long.Parse(await File.ReadAllTextAsync(peak), CultureInfo.InvariantCulture), 3, 34);
        }

        Assert.Empty(workspace.Cgroups.Processes());
        Assert.Equal("host ok", RunOnHost("/bin/echo", "host ok"));
    }

    [Fact]
    public async Task MemoryBomb_IsReportedOutOfMemory()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync(new WorkspaceLimits { MemoryBytes = 48L * 1024 * 1024 });

        // tail keeps a line it has not finished; /dev/zero has no newline.
        var result = await workspace.ExecAsync("head -c 400m /dev/zero | tail", timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(ExecTermination.OutOfMemory, result.Termination);
        Assert.Contains("out of memory", result.FailureReason);
        Assert.Empty(workspace.Cgroups.Processes());
        Assert.Equal("host ok", RunOnHost("/bin/echo", "host ok"));
    }

    [Fact]
    public async Task CpuHog_IsHeldToItsQuota()
    {
        await using var workspace = await fixture.CreateWorkspaceAsync(new WorkspaceLimits { Cpus = 0.5 });

        // Busy for 2 s of wall time (forking date only every 2000 rounds), then report the CPU
        // time the shell and its children used.
        var result = await workspace.ExecAsync(
            "start=$(date +%s); while [ $(( $(date +%s) - start )) -lt 2 ]; do i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; done; times",
            timeout: TimeSpan.FromSeconds(30));

        Assert.True(result.Succeeded, result.FailureReason + result.Stderr);
        var cpu = TimesPattern().Matches(result.Stdout).Sum(m => (int.Parse(m.Groups[1].Value) * 60) + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        var share = cpu / result.Duration.TotalSeconds;

        // Half a core at most (with room for accounting slack); clearly more than nothing.
        Assert.InRange(share, 0.1, 0.7);

        // A hog that reached its quota was throttled. On a machine so busy that the hog got less
        // than its half core, the quota never came into play, and the bound above is the check.
        if (share >= 0.45)
        {
            var throttled = CpuStat(workspace)["nr_throttled"];
            Assert.True(throttled > 0, "the cpu cgroup never throttled the hog");
        }
    }

    [Fact]
    public async Task DiskFiller_IsStoppedByFileSizeLimit()
    {
        const long Quota = 1024 * 1024;
        await using var workspace = await fixture.CreateWorkspaceAsync(new WorkspaceLimits { DiskBytes = Quota });

        var result = await workspace.ExecAsync("head -c 50000000 /dev/zero > big");

        Assert.Equal(ExecTermination.DiskQuotaExceeded, result.Termination);
        Assert.Equal("stopped for exceeding the workspace's disk quota", result.FailureReason);
        Assert.True(new FileInfo(Path.Combine(workspace.Folder, "big")).Length <= Quota, "the file outgrew the quota");
    }

    // 65534 is nobody, an account of its own: the service starts the sandbox as it. 61234 has no
    // account: setpriv drops to it on the way. Either way the same user, and no privilege at all.
    [Theory]
    [InlineData(65534)]
    [InlineData(61234)]
    public async Task Commands_RunAsUnprivilegedUser_InsideAndOnTheHost(int user)
    {
        var provider = fixture.CreateProvider(o => (o.User, o.Group) = (user, user));
        await using var workspace = await fixture.CreateWorkspaceAsync(provider: provider);

        var result = await workspace.ExecAsync("id -u; id -g; grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status; touch mine");

        Assert.Equal($"{user}\n{user}\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\n", result.Stdout);

        // The file's owner on the host: the workspace user and group, not root.
        Assert.Equal($"{user}:{user}", RunOnHost("/usr/bin/stat", "-c", "%u:%g", Path.Combine(workspace.Folder, "mine")));
    }

    private static Dictionary<string, long> CpuStat(TestWorkspace workspace) =>
        workspace.ReadCgroup("cpu", "cpu.stat").Split('\n')
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));

    private static string RunOnHost(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = SystemProcess.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }

    [GeneratedRegex(@"(\d+)m([\d.]+)s")]
    private static partial Regex TimesPattern();
}
