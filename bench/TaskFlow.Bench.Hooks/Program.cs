using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

// Times a hook event end to end, from process start to exit, as Claude Code runs it: a new process
// per event with the hook input on stdin, through `taskflow hook` and through the native
// `taskflow-hook` (artifacts/taskflow-hook, or --native PATH; --native none leaves it out). Each
// round is a PreToolUse that plans a task of three subtasks and a PostToolUse of a marked Task that
// records one of them, for each launcher. The runs are sequential, so the figures are of one hook at
// a time. Two floors are started in the same rounds: an empty .NET app (this benchmark started with
// --noop) and an empty native executable (/bin/true): on a busy machine compare the hooks against
// them rather than against an absolute figure.
//
// With --env TASKFLOW_URL=... (and TASKFLOW_API_KEY=...) each plan also runs live on that server;
// the benchmark then checks that every plan started there and that no hook noted a failure.
//
//   dotnet run -c Release --project bench/TaskFlow.Bench.Hooks -- [--taskflow PATH] [--native PATH|none] [--runs 30] [--warmups 3] [--env NAME=VALUE]...
if (args is ["--noop"])
{
    // The floor: this benchmark's own executable started and ended, a .NET process that does nothing.
    return;
}

var runs = 30;
var warmups = 3;
string? taskflow = null;
string? native = null;
var environment = new Dictionary<string, string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--warmups": warmups = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--taskflow": taskflow = args[++i]; break;
        case "--native": native = args[++i]; break;
        case "--env":
            var pair = args[++i].Split('=', 2);
            environment[pair[0]] = pair[1];
            break;
        default: throw new ArgumentException($"Unknown argument {args[i]}; use --taskflow PATH, --native PATH|none, --runs N, --warmups N, --env NAME=VALUE.");
    }
}

taskflow ??= FindBuiltTaskflow();
native = native == "none" ? null : native ?? FindPublishedNativeHook();
const string NativeFloor = "/bin/true";
var (program, prefix) = taskflow.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ("dotnet", new[] { taskflow }) : (taskflow, Array.Empty<string>());
// The floor starts like the hook: through this benchmark's apphost when the hook runs through its own.
var benchApphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "TaskFlow.Bench.Hooks.exe" : "TaskFlow.Bench.Hooks");
var (floorProgram, floorPrefix) = program != "dotnet" && File.Exists(benchApphost)
    ? (benchApphost, Array.Empty<string>())
    : ("dotnet", new[] { Path.Combine(AppContext.BaseDirectory, "TaskFlow.Bench.Hooks.dll") });
var work = Directory.CreateTempSubdirectory("taskflow-bench-hooks-").FullName;
try
{
    var floor = new List<double>();
    var pre = new List<double>();
    var post = new List<double>();
    var preCpus = new List<double>();
    var postCpus = new List<double>();
    var floorCpus = new List<double>();
    var nativePre = new List<double>();
    var nativePost = new List<double>();
    var nativeFloor = new List<double>();
    var nativePreCpus = new List<double>();
    var nativePostCpus = new List<double>();
    var nativeFloorCpus = new List<double>();
    for (var round = 0; round < warmups + runs; round++)
    {
        var session = $"bench-{round}";
        var prompt = $"Round {round}:\n- Add the orders endpoint\n- Build the orders page\n- Write the release notes";
        var (preTime, preCpu, preOut) = Time(program, [.. prefix, "hook"], PreToolUse(session, work, prompt));
        var workflowId = PlanOf(session)["workflowId"]!.GetValue<string>();
        if (!preOut.Contains("additionalContext", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"PreToolUse gave no additionalContext: {preOut}");
        }

        var (postTime, postCpu, _) = Time(program, [.. prefix, "hook"], PostToolUse(session, work, $"[taskflow:{workflowId}/s1] Add the orders endpoint."));
        var (floorTime, floorCpu, _) = Time(floorProgram, [.. floorPrefix, "--noop"], "");
        if (native is not null)
        {
            var nativeSession = session + "-native";
            var (nPreTime, nPreCpu, nPreOut) = Time(native, [], PreToolUse(nativeSession, work, prompt));
            var nativeWorkflowId = PlanOf(nativeSession)["workflowId"]!.GetValue<string>();
            if (!nPreOut.Contains("additionalContext", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"PreToolUse (native) gave no additionalContext: {nPreOut}");
            }

            var (nPostTime, nPostCpu, _) = Time(native, [], PostToolUse(nativeSession, work, $"[taskflow:{nativeWorkflowId}/s1] Add the orders endpoint."));
            var (nFloorTime, nFloorCpu, _) = Time(NativeFloor, [], "");
            if (round >= warmups)
            {
                nativePre.Add(nPreTime);
                nativePost.Add(nPostTime);
                nativeFloor.Add(nFloorTime);
                nativePreCpus.Add(nPreCpu);
                nativePostCpus.Add(nPostCpu);
                nativeFloorCpus.Add(nFloorCpu);
            }
        }

        if (round >= warmups)
        {
            pre.Add(preTime);
            post.Add(postTime);
            floor.Add(floorTime);
            preCpus.Add(preCpu);
            postCpus.Add(postCpu);
            floorCpus.Add(floorCpu);
        }
    }

    Console.WriteLine($"taskflow: {taskflow}");
    Console.WriteLine($"native: {native ?? "(none)"}");
    Console.WriteLine($"environment: {(environment.Count == 0 ? "(none)" : string.Join(' ', environment.Select(e => $"{e.Key}={e.Value}")))}");
    Console.WriteLine($"runs: {runs} (after {warmups} warm-up rounds), processes: {Environment.ProcessorCount} cores, load average: {LoadAverage()}");
    Console.WriteLine("wall time, process start to exit:");
    Report("PreToolUse (plan 3 subtasks)", pre);
    Report("PostToolUse (record 1 subtask)", post);
    Report(".NET floor (an empty app)", floor);
    ReportNative(nativePre, nativePost, nativeFloor);
    if (OperatingSystem.IsLinux())
    {
        // CPU time (user + system, all threads) of the child: far less sensitive to a busy machine than wall time.
        Console.WriteLine("CPU time of the process:");
        Report("PreToolUse (plan 3 subtasks)", preCpus);
        Report("PostToolUse (record 1 subtask)", postCpus);
        Report(".NET floor (an empty app)", floorCpus);
        ReportNative(nativePreCpus, nativePostCpus, nativeFloorCpus);
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

// The session's first plan; with a server configured, one that has started there (else the figures
// would be of a hook that failed to reach it).
JsonNode PlanOf(string session)
{
    var plan = JsonNode.Parse(File.ReadAllText(Path.Combine(work, ".taskflow", "hooks", session + ".json")))!["plans"]![0]!;
    if (environment.ContainsKey("TASKFLOW_URL") && plan["instanceId"] is null)
    {
        throw new InvalidOperationException($"TASKFLOW_URL is set, but the plan of session {session} did not start on the server: {plan["liveError"]}");
    }

    return plan;
}

(double Milliseconds, double CpuMilliseconds, string Stdout) Time(string file, string[] arguments, string stdin)
{
    var cpuBefore = ChildrenCpuMilliseconds();
    var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    foreach (var (name, value) in environment)
    {
        start.Environment[name] = value;
    }

    var clock = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    process.StandardInput.Write(stdin);
    process.StandardInput.Close();
    if (!process.WaitForExit(60_000))
    {
        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{file} did not exit within 60 s.");
    }

    var elapsed = clock.Elapsed.TotalMilliseconds;
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} exited {process.ExitCode}: {stderr.Result}");
    }

    if (environment.ContainsKey("TASKFLOW_URL") && stderr.Result.Contains("taskflow hook:", StringComparison.Ordinal))
    {
        // The hook answered, but noted that the server could not be reached or refused it.
        throw new InvalidOperationException($"{file} did not bring the server up to date: {stderr.Result}");
    }

    return (elapsed, ChildrenCpuMilliseconds() - cpuBefore, stdout.Result);
}

void ReportNative(List<double> pre, List<double> post, List<double> floor)
{
    if (native is not null)
    {
        Report("native PreToolUse", pre);
        Report("native PostToolUse", post);
        Report($"native floor ({NativeFloor})", floor);
    }
}

static void Report(string name, List<double> times)
{
    times.Sort();
    double At(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-34} p50 {At(0.50),7:0.0} ms   p95 {At(0.95),7:0.0} ms   p99 {At(0.99),7:0.0} ms   min {times[0],7:0.0} ms   max {times[^1],7:0.0} ms"));
}

// getrusage(RUSAGE_CHILDREN): user + system time of every child waited for so far, in ms.
static double ChildrenCpuMilliseconds()
{
    if (!OperatingSystem.IsLinux())
    {
        return 0;
    }

    var usage = new long[18]; // struct rusage: ru_utime and ru_stime (timeval each), then 14 longs
    if (NativeMethods.getrusage(-1, usage) != 0)
    {
        return 0;
    }

    return (usage[0] * 1000.0) + (usage[1] / 1000.0) + (usage[2] * 1000.0) + (usage[3] / 1000.0);
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string PreToolUse(string session, string cwd, string prompt) => new JsonObject
{
    ["session_id"] = session,
    ["transcript_path"] = $"/home/user/.claude/projects/bench/{session}.jsonl",
    ["cwd"] = cwd,
    ["permission_mode"] = "default",
    ["hook_event_name"] = "PreToolUse",
    ["tool_name"] = "Task",
    ["tool_input"] = new JsonObject { ["description"] = "Ship the release", ["prompt"] = prompt, ["subagent_type"] = "general-purpose" },
    ["tool_use_id"] = "toolu_bench_pre",
}.ToJsonString();

static string PostToolUse(string session, string cwd, string prompt) => new JsonObject
{
    ["session_id"] = session,
    ["transcript_path"] = $"/home/user/.claude/projects/bench/{session}.jsonl",
    ["cwd"] = cwd,
    ["permission_mode"] = "default",
    ["hook_event_name"] = "PostToolUse",
    ["tool_name"] = "Task",
    ["tool_input"] = new JsonObject { ["description"] = "Add the orders endpoint", ["prompt"] = prompt, ["subagent_type"] = "general-purpose" },
    ["tool_response"] = new JsonObject { ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Done." }), ["totalDurationMs"] = 1000 },
    ["tool_use_id"] = "toolu_bench_post",
}.ToJsonString();

static string FindPublishedNativeHook()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln")))
        {
            var file = Path.Combine(dir.FullName, "artifacts", "taskflow-hook", "taskflow-hook");
            return File.Exists(file)
                ? file
                : throw new FileNotFoundException($"Publish the native hook first (dotnet publish src/TaskFlow.Hooks.Cli -c Release -r linux-x64 -o artifacts/taskflow-hook): {file} is missing; or pass --native PATH or --native none.");
        }
    }

    throw new FileNotFoundException("No TaskFlow.sln above the benchmark; pass --native PATH or --native none.");
}

static string FindBuiltTaskflow()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln")))
        {
            var apphost = Path.Combine(dir.FullName, "src", "TaskFlow.Server", "bin", "Release", "net10.0", OperatingSystem.IsWindows() ? "taskflow.exe" : "taskflow");
            if (File.Exists(apphost))
            {
                return apphost;
            }

            throw new FileNotFoundException($"Build the server first (dotnet build src/TaskFlow.Server -c Release): {apphost} is missing; or pass --taskflow PATH.");
        }
    }

    throw new FileNotFoundException("No TaskFlow.sln above the benchmark; pass --taskflow PATH.");
}

internal static partial class NativeMethods
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "getrusage")]
    internal static partial int getrusage(int who, [System.Runtime.InteropServices.Out] long[] usage);
}
