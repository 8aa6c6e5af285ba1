using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Cli;

/// <summary>The real <c>taskflow</c> binary, as a person runs it: separate processes, a real Kestrel on a loopback port.</summary>
public sealed partial class TaskFlowCommandTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "taskflow-cli-test-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task ImportElsa_PrintsTheDefinition_SaveStoresIt_UnsupportedListsEveryActivity()
    {
        var (printCode, printed) = await RunAsync(TimeSpan.FromMinutes(1), "import-elsa", Path.Combine(Samples.ElsaFolder, "order-review.json"));
        Assert.True(printCode == 0, printed);
        var definition = JsonNode.Parse(printed[..(printed.LastIndexOf('}') + 1)])!;
        Assert.Contains(definition["nodes"]!.AsArray(), n => n!["type"]!.GetValue<string>() == "join");

        var (saveCode, saved) = await RunAsync(TimeSpan.FromMinutes(1), "import-elsa", Path.Combine(Samples.ElsaFolder, "order-review.json"), "--save", "--data", _data);
        Assert.True(saveCode == 0, saved);
        Assert.Contains($"saved {definition["id"]!.GetValue<string>()} version 1", saved, StringComparison.Ordinal);

        var (failCode, failed) = await RunAsync(TimeSpan.FromMinutes(1), "import-elsa", Path.Combine(Samples.ElsaFolder, "http-approval.json"), "--save", "--data", _data);
        Assert.Equal(1, failCode);
        Assert.Contains("Activity 'Break1' (Elsa.Break)", failed, StringComparison.Ordinal);
        Assert.Contains("Activity 'SendEmail1' (Elsa.SendEmail)", failed, StringComparison.Ordinal);
        Assert.Contains("nothing was stored", failed, StringComparison.Ordinal);

        // A project's own activity: refused by default, naming the option; an agent task with it.
        var custom = Path.Combine(Samples.ElsaFolder, "Corpus", "elsa-samples", "aspnet", "DynamicActivityProvider", "get-user-workflow.json");
        var (refusedCode, refused) = await RunAsync(TimeSpan.FromMinutes(1), "import-elsa", custom);
        Assert.Equal(1, refusedCode);
        Assert.Contains("--custom-activities task", refused, StringComparison.Ordinal);
        var (taskCode, asTask) = await RunAsync(TimeSpan.FromMinutes(1), "import-elsa", custom, "--custom-activities", "task");
        Assert.True(taskCode == 0, asTask);
        Assert.Contains("\"capability\": \"Demo.Reqres.GetUser\"", asTask, StringComparison.Ordinal);
        var (badCode, bad) = await RunAsync(TimeSpan.FromMinutes(1), "import-elsa", custom, "--custom-activities", "maybe");
        Assert.NotEqual(0, badCode);
        Assert.Contains("maybe", bad, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportElsa_Folder_SavesEachWorkflowAfterTheOnesItUses()
    {
        // Elsa's ParentChildOutputMapping scenario: calculator uses sum, d uses c, which uses a and b, consumer uses producer.
        var folder = Path.Combine(Samples.ElsaFolder, "Corpus", "elsa-core", "integration", "ParentChildOutputMapping");

        var (code, output) = await RunAsync(TimeSpan.FromMinutes(1), "import-elsa", folder, "--save", "--data", _data);

        Assert.True(code == 0, output);
        var order = output.Split('\n').Where(l => l.StartsWith("saved ", StringComparison.Ordinal)).Select(l => l[(l.LastIndexOf('(') + 1)..l.LastIndexOf(')')]).ToList();
        Assert.Equal(8, order.Count);
        Assert.True(order.IndexOf("sum.json") < order.IndexOf("calculator.json"), output);
        Assert.True(order.IndexOf("producer.json") < order.IndexOf("consumer.json"), output);
        Assert.True(new[] { "a.json", "b.json" }.All(f => order.IndexOf(f) < order.IndexOf("c.json")) && order.IndexOf("c.json") < order.IndexOf("d.json"), output);
    }

    [Fact]
    public async Task Run_WithWaitFlag_PrintsSucceededInstance()
    {
        var (exitCode, output, _) = await RunSeparatelyAsync(TimeSpan.FromMinutes(2), "run", Path.Combine(Samples.Folder, "parallel-fan-out.json"), "--wait", "--data", _data);

        Assert.Equal(0, exitCode);
        var instance = JsonNode.Parse(output)!;
        Assert.Equal("Succeeded", (string?)instance["status"]);
        Assert.Equal("TASKFLOW", (string?)instance["output"]!["upper"]);
    }

    public static TheoryData<string> SampleFiles()
    {
        var files = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Samples.Folder, "*.json").Order(StringComparer.Ordinal))
        {
            files.Add(Path.GetFileName(file));
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task Run_EverySample_ExitsZeroWithSucceededInstance(string file)
    {
        // Samples whose inputs have no defaults get one here, as their descriptions suggest.
        string[] input = file == "conditional-branch.json" ? ["--input", """{ "amount": 250 }"""] : [];

        var (exitCode, output, errors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(2), ["run", Path.Combine(Samples.Folder, file), "--wait", "--data", _data, .. input]);

        Assert.True(exitCode == 0, $"taskflow run {file} exited {exitCode}:{Environment.NewLine}{output}{errors}");
        var instance = JsonNode.Parse(output)!;
        Assert.Equal("Succeeded", (string?)instance["status"]);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), (string?)instance["definitionId"]);
        Assert.NotNull(instance["output"]);
    }

    [Fact]
    public async Task Run_FailingWorkflow_ExitsOneWithFailedInstance()
    {
        Directory.CreateDirectory(_data);
        var file = Path.Combine(_data, "boom.json");
        await File.WriteAllTextAsync(file, """{ "id": "boom", "nodes": [ { "id": "boom", "type": "fail", "inputs": { "message": "no route" } } ], "edges": [] }""");

        var (exitCode, output, _) = await RunSeparatelyAsync(TimeSpan.FromMinutes(2), "run", file, "--wait", "--data", Path.Combine(_data, "db"));

        Assert.Equal(1, exitCode);
        var instance = JsonNode.Parse(output)!;
        Assert.Equal("Failed", (string?)instance["status"]);
        Assert.Equal("Node 'boom' failed: no route", (string?)instance["error"]);
    }

    [Fact]
    public async Task Run_JsonLogging_NodeLinesCarryInstanceAndNodeIds()
    {
        Directory.CreateDirectory(_data);
        var file = Path.Combine(_data, "say-then-fail.json");
        await File.WriteAllTextAsync(file, """
            { "id": "say-then-fail", "nodes": [
                { "id": "say", "type": "log", "inputs": { "message": "hello structured" } },
                { "id": "boom", "type": "fail", "inputs": { "message": "no route" } } ],
              "edges": [ { "from": "say", "to": "boom" } ] }
            """);
        var environment = new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
            ["TaskFlow__Workspaces__WarmPoolSize"] = "0",
        };

        var (exitCode, output, errors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(2), environment, "run", file, "--wait", "--data", Path.Combine(_data, "db"));

        Assert.True(exitCode == 1, output + errors);
        var id = (string?)JsonNode.Parse(output)!["id"];
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => JsonNode.Parse(line)!).ToList();
        var said = Assert.Single(lines, l => ((string?)l["Message"])?.Contains("hello structured", StringComparison.Ordinal) == true);
        var failed = Assert.Single(lines, l => (string?)l["Category"] == "TaskFlow.Engine.Dispatch.ActivityExecutor");
        Assert.Equal((id, "say"), NodeScope(said));
        Assert.Equal((id, "boom"), NodeScope(failed));
        Assert.Equal("Warning", (string?)failed["LogLevel"]);
        Assert.Contains("no route", (string?)failed["Message"], StringComparison.Ordinal);

        static (string?, string?) NodeScope(JsonNode line)
        {
            var scope = Assert.Single(line["Scopes"]!.AsArray(), s => s?["NodeId"] is not null)!;
            return ((string?)scope["InstanceId"], (string?)scope["NodeId"]);
        }
    }

    [Fact]
    public async Task Serve_NoConfiguredKey_PrintsKeyUrlThatInstancesCommandsUse()
    {
        using var server = Start("serve", "--urls", "http://127.0.0.1:0", "--data", _data);
        var url = await WaitForLineAsync(server, BannerUrl(), TimeSpan.FromSeconds(60));
        try
        {
            var match = BannerUrl().Match(url);
            var (address, key) = (match.Groups["address"].Value, match.Groups["key"].Value);
            Assert.Equal(key, (await File.ReadAllTextAsync(Path.Combine(_data, "api-key"))).Trim());

            var (listCode, listOutput) = await RunAsync(TimeSpan.FromSeconds(60), "instances", "list", "--server", address, "--key", key);
            var (wrongCode, wrongOutput) = await RunAsync(TimeSpan.FromSeconds(60), "instances", "list", "--server", address, "--key", "wrong-key-0123456789abcdef");
            var (showCode, showOutput) = await RunAsync(TimeSpan.FromSeconds(60), "instances", "show", "nope", "--server", address, "--data", _data);

            Assert.Equal(0, listCode);
            Assert.Empty(JsonNode.Parse(listOutput)!["items"]!.AsArray());
            Assert.Equal(1, wrongCode);
            Assert.Contains("401", wrongOutput);
            Assert.Equal(1, showCode);
            Assert.Contains("404", showOutput);
            Assert.Contains("'nope'", showOutput);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static Process Start(params string[] args) => Start(null, args);

    private static Process Start(IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "taskflow.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("TASKFLOW_POSTGRES");
        start.Environment.Remove("TASKFLOW_URL");
        start.Environment.Remove("TASKFLOW_API_KEY");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("Could not start taskflow.");
    }

    /// <summary>Runs a command to its end; the output is stdout, then stderr.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunSeparatelyAsync(timeout, args);
        return (exitCode, stdout + stderr);
    }

    /// <summary>Runs the command; stdout (a command's result, such as run's JSON) and stderr (its log lines) apart.</summary>
    private static Task<(int ExitCode, string Stdout, string Stderr)> RunSeparatelyAsync(TimeSpan timeout, params string[] args) =>
        RunSeparatelyAsync(timeout, null, args);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunSeparatelyAsync(TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<string> WaitForLineAsync(Process process, Regex pattern, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var seen = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            seen.Add(line);
            if (pattern.IsMatch(line))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"taskflow serve exited without printing its URL:{Environment.NewLine}{string.Join(Environment.NewLine, seen)}{await process.StandardError.ReadToEndAsync()}");
    }

    [GeneratedRegex(@"TaskFlow is running at (?<address>http://127\.0\.0\.1:\d+)/\?key=(?<key>[0-9a-f]{64})")]
    private static partial Regex BannerUrl();
}
