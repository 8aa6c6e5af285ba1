using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace TaskFlow.Workspaces.Tests.Container;

/// <summary>
/// What a hostile command in a container workspace cannot do. Each test runs the attack for
/// real and checks both that it failed for the stated reason and that the host is unaffected.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class ContainerWorkspaceSecurityTests(DockerEngineFixture engine, ITestOutputHelper output)
{
    [Fact]
    public async Task WriteOutsideWorkspace_FailsOnTheReadOnlyRoot()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var etc = await workspace.ShAsync("echo x > /etc/x");
        var root = await workspace.ShAsync("touch /x");
        var inside = await workspace.ShAsync("echo x > /workspace/x && echo x > /tmp/x");

        Assert.NotEqual(0, etc.ExitCode);
        Assert.Contains("Read-only file system", etc.Stderr);
        Assert.NotEqual(0, root.ExitCode);
        Assert.Contains("Read-only file system", root.Stderr);
        Assert.True(inside.Succeeded, "the workspace and /tmp stay writable: " + inside.Stderr);

        // The image's layer is untouched, and so is the host.
        var changes = await engine.Docker.Containers.InspectChangesAsync("taskflow-ws-" + workspace.Id, CancellationToken.None);
        Assert.DoesNotContain(changes ?? [], c => c.Path is "/etc/x" or "/x");
        Assert.False(File.Exists("/x"));
    }

    [Fact]
    public async Task HostFileOutsideWorkspace_NotVisible()
    {
        var secretFolder = Path.Combine(Path.GetTempPath(), "taskflow-secret-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(secretFolder);
        try
        {
            var secret = Path.Combine(secretFolder, "secret-" + Guid.NewGuid().ToString("N")[..8] + ".txt");
            await File.WriteAllTextAsync(secret, "host-secret-token");
            await using var workspace = await engine.CreateWorkspaceAsync();

            var read = await workspace.ShAsync($"cat '{secret}'");
            var search = await workspace.ShAsync($"find / -xdev -name '{Path.GetFileName(secret)}' 2>/dev/null; grep -rs host-secret-token /workspace /tmp; true");

            Assert.NotEqual(0, read.ExitCode);
            Assert.Contains("No such file or directory", read.Stderr);
            Assert.DoesNotContain("host-secret-token", read.Stdout);
            Assert.Equal("", search.Stdout);
        }
        finally
        {
            Directory.Delete(secretFolder, recursive: true);
        }
    }

    [Fact]
    public async Task Network_HostListenerUnreachable()
    {
        var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var addresses = NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
                .Select(a => a.ToString())
                .Append("127.0.0.1")
                .Distinct()
                .ToList();
            await using var workspace = await engine.CreateWorkspaceAsync(new WorkspaceLimits { Network = true });

            // The workspace asks for a network; the provider's options do not allow one.
            var result = await workspace.ShAsync(
                $"for a in {string.Join(' ', addresses)}; do if echo hi | nc -w 2 $a {port}; then echo CONNECTED $a; else echo refused $a; fi; done; "
                + "echo interfaces; tail -n +3 /proc/net/dev | cut -d: -f1");

            output.WriteLine(result.Stdout + result.Stderr);
            Assert.DoesNotContain("CONNECTED", result.Stdout);
            Assert.Equal(addresses.Count, result.Stdout.Split('\n').Count(l => l.StartsWith("refused ", StringComparison.Ordinal)));
            var interfaces = result.Stdout[(result.Stdout.IndexOf("interfaces\n", StringComparison.Ordinal) + "interfaces\n".Length)..]
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(["lo"], interfaces);
            Assert.False(listener.Pending(), "the host listener saw a connection from the workspace");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task ForkBomb_StoppedByPidsLimit_HostAndWorkspaceKeepWorking()
    {
        const int pids = 64;
        await using var workspace = await engine.CreateWorkspaceAsync(new WorkspaceLimits { Pids = pids, Cpus = 1 });

        // The bomb forks until the limit refuses; its parent then spins on shell built-ins
        // (no fork needed) until the timeout kills the lot.
        var bomb = workspace.ExecAsync(new ExecRequest(["sh", "-c", "b() { b | b & }; b; while :; do :; done"], Timeout: TimeSpan.FromSeconds(6)));
        long peak = 0;
        while (!bomb.IsCompleted)
        {
            var stats = await engine.StatsAsync(workspace);
            peak = Math.Max(peak, (long)stats.PidsStats.Current);
            await Task.WhenAny(bomb, Task.Delay(500));
        }

        var result = await bomb;
        output.WriteLine($"peak pids {peak}; {result.Termination}; stderr: {result.Stderr[..Math.Min(300, result.Stderr.Length)]}");
        // Usually the parent spins until the timeout; when the limit refuses the parent shell's own
        // fork, busybox sh exits there instead. Either way the limit, not the host, stopped it.
        Assert.Contains(result.Termination, new[] { ExecTermination.TimedOut, ExecTermination.Exited });
        Assert.Contains("can't fork", result.Stderr);
        Assert.InRange(peak, 1, pids);

        // Every process of the bomb is gone, the workspace runs commands again, and so does the host.
        var left = await workspace.ProcessesAsync();
        Assert.True(left.Count <= 3, "processes left: " + string.Join(" | ", left));
        using var host = System.Diagnostics.Process.Start(new ProcessStartInfo("sh", ["-c", "echo host-ok"]) { RedirectStandardOutput = true })!;
        Assert.Equal("host-ok", (await host.StandardOutput.ReadToEndAsync()).Trim());
        await host.WaitForExitAsync();
        Assert.Equal(0, host.ExitCode);
    }

    [Fact]
    public async Task MemoryBomb_ReportedAsOutOfMemory()
    {
        await using var workspace = await engine.CreateWorkspaceAsync(new WorkspaceLimits { MemoryBytes = 64L * 1024 * 1024 });

        // dd's block buffer is 256 MiB; filling it from /dev/zero touches every page.
        var result = await workspace.ExecAsync("dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1");
        var after = await workspace.ExecAsync("echo", "alive");

        Assert.Equal(ExecTermination.OutOfMemory, result.Termination);
        Assert.Equal(137, result.ExitCode);
        Assert.Contains("memory", result.FailureReason);
        Assert.Equal("alive\n", after.Stdout);
    }

    [Fact]
    public async Task PlainSigkill_ReportedAsKilledNotOutOfMemory()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var result = await workspace.ShAsync("kill -9 $$");

        Assert.Equal(137, result.ExitCode);
        Assert.Equal(ExecTermination.Killed, result.Termination);
        Assert.Equal("killed by signal 9", result.FailureReason);
    }

    [Fact]
    public async Task CpuHog_BoundedByCpuLimit()
    {
        await using var workspace = await engine.CreateWorkspaceAsync(new WorkspaceLimits { Cpus = 0.5 });
        var before = await engine.StatsAsync(workspace);
        var clock = Stopwatch.StartNew();

        // Two busy loops could take two whole cores; the limit allows half of one.
        var result = await workspace.ShAsync("timeout 4 sh -c 'while :; do :; done' & timeout 4 sh -c 'while :; do :; done' & wait");

        var wall = clock.Elapsed;
        var after = await engine.StatsAsync(workspace);
        var cpuSeconds = (after.CPUStats.CPUUsage.TotalUsage - before.CPUStats.CPUUsage.TotalUsage) / 1e9;
        var cores = cpuSeconds / wall.TotalSeconds;
        var throttled = after.CPUStats.ThrottlingData.ThrottledPeriods - before.CPUStats.ThrottlingData.ThrottledPeriods;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cpuSeconds:0.00} CPU s in {wall.TotalSeconds:0.00} s = {cores:0.00} cores; throttled periods {throttled}"));

        Assert.Equal(ExecTermination.Exited, result.Termination);
        Assert.True(cpuSeconds > 0.5, $"the hog barely ran ({cpuSeconds:0.00} CPU s): the measurement is not telling anything");
        Assert.True(cores < 0.8, $"the hog used {cores:0.00} cores with a limit of 0.5");
        Assert.Equal(500_000_000, (await engine.InspectAsync(workspace)).HostConfig.NanoCPUs);

        // On a loaded host the hog may get less than its half core from the scheduler, and then
        // the limit has nothing to throttle; once it reaches the limit, the limit must throttle it.
        if (cores >= 0.45)
        {
            Assert.True(throttled > 0, $"the hog used {cores:0.00} cores and the engine never throttled it");
        }
    }

    [Fact]
    public async Task DiskFiller_StoppedAtQuota()
    {
        const long quota = 8L * 1024 * 1024;
        await using var workspace = await engine.CreateWorkspaceAsync(new WorkspaceLimits { DiskBytes = quota });

        var result = await workspace.ExecAsync("dd", "if=/dev/zero", "of=/workspace/big", "bs=1M", "count=64");

        Assert.Equal(ExecTermination.DiskQuotaExceeded, result.Termination);
        Assert.Equal(153, result.ExitCode);
        Assert.Contains("disk quota", result.FailureReason);
        var size = new FileInfo(Path.Combine(workspace.Folder, "big")).Length;
        Assert.InRange(size, 1, quota);
    }

    [Fact]
    public async Task Commands_RunAsUnprivilegedUser()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var result = await workspace.ShAsync("id -u; id -g");

        Assert.True(result.Succeeded, result.Stderr);
        Assert.Equal("65534\n65534\n", result.Stdout);
    }

    [Fact]
    public async Task Commands_HaveNoCapabilitiesAndNoNewPrivileges()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var result = await workspace.ExecAsync("grep", "-E", "^(CapPrm|CapEff|CapBnd|NoNewPrivs):", "/proc/self/status");

        Assert.True(result.Succeeded, result.Stderr);
        var status = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0], p => p[1].Trim());
        Assert.Equal("0000000000000000", status["CapEff"]);
        Assert.Equal("0000000000000000", status["CapPrm"]);
        Assert.Equal("0000000000000000", status["CapBnd"]);
        Assert.Equal("1", status["NoNewPrivs"]);
    }
}
