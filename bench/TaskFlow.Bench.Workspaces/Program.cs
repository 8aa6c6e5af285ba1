using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskFlow.Workspaces;
using TaskFlow.Workspaces.Container;
using TaskFlow.Workspaces.Process;

// Usage: dotnet run -c Release --project bench/TaskFlow.Bench.Workspaces -- [--iterations 40] [--concurrency 10] [--sandbox-only]
// The overhead of running a trivial command (`true`) in a workspace, as the exec activity does
// with a workspace of its own: create, exec, destroy. Cold container, warm-pool container (through
// the exec agent, and through engine execs), sandboxed process, a plain process for reference; then that many workspaces at once. Needs
// root, bubblewrap and a Docker engine in DOCKER_HOST (scripts/start-docker.sh); --sandbox-only
// measures the plain and sandboxed processes alone, without Docker.
if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("error: workspaces need Linux (bubblewrap, cgroups, a Docker engine).");
    return 1;
}

var iterations = Argument("--iterations", 40);
var concurrency = Argument("--concurrency", 10);
var sandboxOnly = Environment.GetCommandLineArgs().Contains("--sandbox-only");
var root = Directory.CreateTempSubdirectory("taskflow-bench-ws-").FullName;
File.SetUnixFileMode(root, (UnixFileMode)0b111_001_001);
var scope = "bench-" + Guid.NewGuid().ToString("N")[..8];
using var containers = new ContainerWorkspaceProvider(Options.Create(new ContainerWorkspaceOptions { Scope = scope }), NullLogger<ContainerWorkspaceProvider>.Instance, TimeProvider.System);

// The same containers without the exec agent: every command an engine exec, as before the agent.
using var execContainers = new ContainerWorkspaceProvider(Options.Create(new ContainerWorkspaceOptions { Scope = scope, ExecAgent = false }), NullLogger<ContainerWorkspaceProvider>.Instance, TimeProvider.System);
using var sandboxes = new ProcessWorkspaceProvider(Options.Create(new ProcessWorkspaceOptions { CgroupParent = "taskflow-" + scope }), NullLogger<ProcessWorkspaceProvider>.Instance, TimeProvider.System);
foreach (var provider in sandboxOnly ? new IWorkspaceProvider[] { sandboxes } : [containers, sandboxes])
{
    if (await provider.CheckAvailableAsync(CancellationToken.None) is { } problem)
    {
        Console.Error.WriteLine($"error: {provider.Mode} workspaces cannot run here: {problem}");
        return 1;
    }
}

var limits = new WorkspaceLimits { MemoryBytes = 256L << 20, Cpus = 1, Pids = 128, DiskBytes = 64L << 20 };
Console.WriteLine(Invariant($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; date {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {iterations} iterations per case after 3 warm-up ones; command `true`"));
var rows = new List<string>();
try
{
    rows.Add(await Plain());
    rows.AddRange(await Workspaces("sandboxed process", IsolationMode.Process, warmPool: 0));
    if (!sandboxOnly)
    {
        rows.AddRange(await Workspaces("cold container", IsolationMode.Container, warmPool: 0));
        rows.AddRange(await Workspaces("warm-pool container", IsolationMode.Container, warmPool: 2));
        rows.AddRange(await Workspaces("warm-pool container, engine exec", IsolationMode.Container, warmPool: 2, execContainers));
        rows.AddRange(await ExecOnly("running container, exec agent", containers));
        rows.AddRange(await ExecOnly("running container, engine exec", execContainers));
    }

    rows.Add(await Concurrent("sandboxed process", IsolationMode.Process, warmPool: 0));
    if (!sandboxOnly)
    {
        rows.Add(await Concurrent("warm-pool container", IsolationMode.Container, warmPool: concurrency));
    }
}
finally
{
    foreach (var id in sandboxOnly ? [] : await containers.ListOwnedAsync(CancellationToken.None))
    {
        await containers.DestroyAsync(id, CancellationToken.None);
    }

    foreach (var id in await sandboxes.ListOwnedAsync(CancellationToken.None))
    {
        await sandboxes.DestroyAsync(id, CancellationToken.None);
    }

    Directory.Delete(root, recursive: true);
}

Console.WriteLine();
Console.WriteLine("| Case | Step | p50 | p99 | max |");
Console.WriteLine("|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);
return 0;

async Task<string> Plain()
{
    var times = await Measure(async () =>
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();
    });
    return Row("plain process (no isolation)", "spawn and wait", times);
}

async Task<IEnumerable<string>> Workspaces(string name, IsolationMode mode, int warmPool, IWorkspaceProvider? container = null)
{
    await using var manager = Manager(mode, warmPool, container: container);
    var create = new List<double>();
    var exec = new List<double>();
    var destroy = new List<double>();
    await Measure(async () =>
    {
        if (warmPool > 0)
        {
            // A pool hit: the pool is full again before each measured call.
            manager.FillWarmPool();
            while (manager.WarmCount < warmPool)
            {
                await Task.Delay(20);
            }
        }

        var started = Stopwatch.GetTimestamp();
        var workspace = await manager.CreateAsync(new WorkspaceRequest(mode));
        create.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        started = Stopwatch.GetTimestamp();
        var result = await manager.ExecAsync(workspace.Id, new ExecRequest(["true"]));
        exec.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Check(result);
        started = Stopwatch.GetTimestamp();
        await manager.DestroyAsync(workspace.Id, CleanupMode.Immediate);
        destroy.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    });
    return
    [
        Row(name, "create", Tail(create)),
        Row(name, "**exec**", Tail(exec)),
        Row(name, "destroy", Tail(destroy)),
        Row(name, "create + exec + destroy", [.. create.Zip(exec, destroy).Skip(3).Select(t => t.First + t.Second + t.Third).Order()]),
    ];
}

async Task<IEnumerable<string>> ExecOnly(string name, IWorkspaceProvider container)
{
    await using var manager = Manager(IsolationMode.Container, 0, container: container);
    var workspace = await manager.CreateAsync(new WorkspaceRequest(IsolationMode.Container));
    var times = await Measure(async () => Check(await manager.ExecAsync(workspace.Id, new ExecRequest(["true"]))));
    await manager.DestroyAsync(workspace.Id, CleanupMode.Immediate);
    return [Row(name, "exec only", times)];
}

async Task<string> Concurrent(string name, IsolationMode mode, int warmPool)
{
    await using var manager = Manager(mode, warmPool, maxWorkspaces: concurrency);
    if (warmPool > 0)
    {
        manager.FillWarmPool();
        while (manager.WarmCount < warmPool)
        {
            await Task.Delay(50);
        }
    }

    var times = new double[concurrency];
    var wall = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async i =>
    {
        var started = Stopwatch.GetTimestamp();
        var workspace = await manager.CreateAsync(new WorkspaceRequest(mode));
        Check(await manager.ExecAsync(workspace.Id, new ExecRequest(["true"])));
        await manager.DestroyAsync(workspace.Id, CleanupMode.Immediate);
        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }));
    var sorted = times.Order().ToArray();
    return Invariant($"| {concurrency} {name} workspaces at once | create + exec + destroy, each | {Percentile(sorted, 0.5):0.0} ms | {Percentile(sorted, 0.99):0.0} ms | all done in {wall.Elapsed.TotalMilliseconds:0} ms |");
}

WorkspaceManager Manager(IsolationMode mode, int warmPool, int maxWorkspaces = 10, IWorkspaceProvider? container = null) => new(
    Options.Create(new WorkspaceOptions { DefaultIsolation = mode, Limits = limits, WarmPoolSize = warmPool, MaxWorkspaces = Math.Max(maxWorkspaces, 10) }),
    new WorkspaceRoot(root),
    [container ?? containers, sandboxes],
    NullLogger<WorkspaceManager>.Instance,
    TimeProvider.System);

static async Task<double[]> Measure(Func<Task> action)
{
    var times = new List<double>();
    for (var i = 0; i < Iterations() + 3; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        if (i >= 3)
        {
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    return [.. times.Order()];
}

static int Iterations() => Argument("--iterations", 40);

// The first 3 of each step were warm-up.
static double[] Tail(List<double> values) => [.. values.Skip(3).Order()];

static void Check(ExecResult result)
{
    if (!result.Succeeded)
    {
        throw new InvalidOperationException($"the command failed: {result.FailureReason}: {result.Stderr}");
    }
}

static string Row(string name, string step, double[] sorted) =>
    Invariant($"| {name} | {step} | {Percentile(sorted, 0.5):0.0} ms | {Percentile(sorted, 0.99):0.0} ms | {sorted[^1]:0.0} ms |");

static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

static int Argument(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
