using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Server.Tests.Api;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Workspaces;
using TaskFlow.Testing;
using TaskFlow.Workspaces.Cleanup;

namespace TaskFlow.Server.Tests.Workspaces;

/// <summary>
/// Workspaces through the server: the <c>exec</c> activity in real workflows, the REST API, and
/// the workspace-isolation MCP server at <c>/mcp/workspace-isolation</c>. Sandboxed processes
/// (bubblewrap) unless a test says otherwise; one test runs a real container.
/// </summary>
public sealed class WorkspacesTests
{
    private static readonly Dictionary<string, string?> ProcessWorkspaces = new()
    {
        ["TaskFlow:Workspaces:DefaultIsolation"] = "Process",

        // A test host is gone in seconds: no containers made ahead for it.
        ["TaskFlow:Workspaces:WarmPoolSize"] = "0",
        ["TaskFlow:Workspaces:Limits:MemoryBytes"] = (512L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["TaskFlow:Workspaces:Limits:DiskBytes"] = (64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task ExecActivity_NodeScope_RunsTheCommand_OutputsIt_AndDestroysTheWorkspace()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, ProcessWorkspaces);
        await app.SaveAsync("""
            { "id": "shell", "inputs": { "name": { "type": "string" } },
              "nodes": [ { "id": "greet", "type": "exec", "inputs": { "script": "echo \"hello $NAME\"; id -u; pwd", "env": { "NAME": "{{ input.name }}" } } } ],
              "edges": [] }
            """);

        var instance = await RunAsync(app, "/api/definitions/shell/run?wait=true&timeout=60", TaskFlowApp.JsonBody("""{ "input": { "name": "sandbox" } }"""));

        Assert.Equal("Succeeded", (string?)instance["status"]);
        var output = Node(instance, "greet")["output"]!;
        Assert.Equal("hello sandbox\n65534\n/workspace\n", (string?)output["stdout"]);
        Assert.Equal("process", (string?)output["isolation"]);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/workspaces"));
    }

    [Fact]
    public async Task McpCall_ToAServerWithAWorkspacePolicy_RunsItInAWorkspace_AndTheHostSeesNothing()
    {
        // The filesystem server is allowed the whole file system: only its workspace confines it.
        var host = Directory.CreateTempSubdirectory("taskflow-confined-host-").FullName;
        var settings = new Dictionary<string, string?>(ProcessWorkspaces);
        McpTestServers.Configure(settings, "fs", McpTestServers.Filesystem("/"));
        settings.Remove("TaskFlow:Mcp:Servers:fs:WorkingDirectory");
        settings["TaskFlow:Mcp:Servers:fs:Workspace:Mode"] = "process";
        settings["TaskFlow:Mcp:Servers:fs:Workspace:Pids"] = "64";
        settings["TaskFlow:Mcp:Servers:fs:Workspace:Mounts:0"] = McpTestServers.Folder;
        try
        {
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
            await app.SaveAsync($$"""
                { "id": "confined",
                  "nodes": [
                    { "id": "inside", "type": "mcp.call", "inputs": { "tool": "write_file", "server": "fs", "arguments": { "path": "/workspace/from-workflow.txt", "content": "inside" } } },
                    { "id": "outside", "type": "mcp.call", "inputs": { "tool": "write_file", "server": "fs", "arguments": { "path": "{{host}}/escaped.txt", "content": "outside" } } } ],
                  "edges": [ { "from": "inside", "to": "outside" } ] }
                """);

            var instance = await RunAsync(app, "/api/definitions/confined/run?wait=true&timeout=60", null);

            Assert.Equal("Succeeded", (string?)Node(instance, "inside")["status"]);
            Assert.Equal("Failed", (string?)Node(instance, "outside")["status"]);
            Assert.False(File.Exists(Path.Combine(host, "escaped.txt")));

            // The server's workspace is listed while the server runs, with what it wrote.
            var workspace = Assert.Single(await app.GetAsync<JsonArray>("/api/workspaces"))!;
            Assert.Equal("mcp:fs", (string?)workspace["owner"]!["nodeId"]);
            Assert.Equal("process", (string?)workspace["isolation"]);
            var root = app.Services.GetRequiredService<WorkspaceManager>().Root;
            Assert.Equal("inside", await File.ReadAllTextAsync(Path.Combine(root, (string)workspace["id"]!, "files", "from-workflow.txt")));
        }
        finally
        {
            Directory.Delete(host, recursive: true);
        }
    }

    [Fact]
    public async Task ExecActivity_NonZeroExit_FailsTheNodeWithTheReason_AndTheRetryPolicyApplies()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, ProcessWorkspaces);
        await app.SaveAsync("""
            { "id": "failing",
              "nodes": [ { "id": "bad", "type": "exec", "retry": { "maxAttempts": 2, "delay": "0s" },
                           "inputs": { "script": "echo broken >&2; exit 3" } } ],
              "edges": [] }
            """);

        var instance = await RunAsync(app, "/api/definitions/failing/run?wait=true&timeout=60", null);

        Assert.Equal("Failed", (string?)instance["status"]);
        var node = Node(instance, "bad");
        Assert.Equal(2, (int?)node["attempt"]);
        Assert.Contains("'sh -c echo broken >&2; exit 3' exited with code 3", (string?)node["error"], StringComparison.Ordinal);
        Assert.Contains("stderr: broken", (string?)node["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecActivity_InstanceScope_SharesFilesBetweenNodes_AndIsReclaimedOnceTheInstanceFinished()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, ProcessWorkspaces);
        await app.SaveAsync("""
            { "id": "shared",
              "nodes": [
                { "id": "write", "type": "exec", "inputs": { "script": "echo handed over > note.txt", "workspace": { "scope": "instance" } } },
                { "id": "read", "type": "exec", "inputs": { "command": ["cat", "note.txt"], "workspace": { "scope": "instance" } } } ],
              "edges": [ { "from": "write", "to": "read" } ] }
            """);

        var instance = await RunAsync(app, "/api/definitions/shared/run?wait=true&timeout=60", null);

        Assert.Equal("Succeeded", (string?)instance["status"]);
        var read = Node(instance, "read")["output"]!;
        Assert.Equal("handed over\n", (string?)read["stdout"]);

        var listed = await app.GetAsync<JsonArray>("/api/workspaces");
        var workspace = Assert.Single(listed)!;
        Assert.Equal((string?)read["workspace"], (string?)workspace["id"]);
        Assert.Equal((string?)instance["id"], (string?)workspace["owner"]!["instanceId"]);
        Assert.Equal("active", (string?)workspace["state"]);
        Assert.True((long?)workspace["usage"]!["diskBytes"] > 0);
        Assert.Equal(512L << 20, (long?)workspace["limits"]!["memoryBytes"]);

        // The engine says the instance finished: the scheduled pass reclaims its workspace.
        var reclaimed = await app.Services.GetRequiredService<WorkspaceManager>().CleanupAsync(CleanupPass.Scheduled);
        Assert.Equal(1, reclaimed);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/workspaces"));
    }

    [Fact]
    public async Task ExecActivity_Container_RunsInARealContainer()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, ProcessWorkspaces);
        await app.SaveAsync("""
            { "id": "boxed",
              "nodes": [ { "id": "inside", "type": "exec", "inputs": { "script": "id -u; cat /proc/1/cmdline | tr '\\0' ' '", "workspace": { "isolation": "container" } } } ],
              "edges": [] }
            """);

        var instance = await RunAsync(app, "/api/definitions/boxed/run?wait=true&timeout=120", null);

        Assert.True((string?)instance["status"] == "Succeeded", instance.ToJsonString());
        var output = Node(instance, "inside")["output"]!;
        Assert.Equal("container", (string?)output["isolation"]);
        Assert.StartsWith("65534\n", (string?)output["stdout"], StringComparison.Ordinal);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/workspaces"));
    }

    [Fact]
    public async Task ExecActivity_BadInputs_FailWithoutRetry_NamingEachProblem()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, ProcessWorkspaces);
        await app.SaveAsync("""
            { "id": "wrong",
              "nodes": [ { "id": "x", "type": "exec", "retry": { "maxAttempts": 3, "delay": "0s" },
                           "inputs": { "timeout": "soon", "workspace": { "isolation": "moon", "limits": { "memory": "lots" } } } } ],
              "edges": [] }
            """);

        var node = Node(await RunAsync(app, "/api/definitions/wrong/run?wait=true&timeout=60", null), "x");
        var error = (string?)node["error"];

        Assert.Equal(1, (int?)node["attempt"]);
        Assert.Contains("'command' (the program and its arguments) or 'script' (a shell script) is required", error, StringComparison.Ordinal);
        Assert.Contains("'timeout' is 'soon'", error, StringComparison.Ordinal);
        Assert.Contains("'workspace.isolation' is 'moon'; use auto, container, process or vm", error, StringComparison.Ordinal);
        Assert.Contains("'workspace.limits.memory' is 'lots'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestApi_DestroyUnknownOrWithABadMode_SaysWhy()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, ProcessWorkspaces);
        var workspace = await app.Services.GetRequiredService<WorkspaceManager>().CreateAsync(new WorkspaceRequest());

        using var unknown = await app.Client.DeleteAsync("/api/workspaces/ws-nothing");
        using var badMode = await app.Client.DeleteAsync($"/api/workspaces/{workspace.Id}?cleanup=whenever");
        using var inspect = await app.Client.GetAsync($"/api/workspaces/{workspace.Id}");
        using var destroyed = await app.Client.DeleteAsync($"/api/workspaces/{workspace.Id}?cleanup=lazy");
        var released = await app.GetAsync<JsonObject>($"/api/workspaces/{workspace.Id}");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
        Assert.Contains("cleanup is 'whenever'; use immediate, lazy or scheduled", await badMode.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, inspect.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, destroyed.StatusCode);
        Assert.Equal(("released", "lazy"), ((string?)released["state"], (string?)released["cleanup"]));
    }

    [Fact]
    public async Task McpServer_WorkspaceIsolation_CreateExecFilesDestroy_AndBadArgumentsAreToolErrors()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, ProcessWorkspaces);
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp/workspace-isolation"), TransportMode = HttpTransportMode.StreamableHttp },
            app.Client));

        var tools = (await client.ListToolsAsync()).Select(t => t.Name).Order().ToList();
        Assert.Equal(["create_workspace", "destroy_workspace", "exec", "list_files", "list_workspaces", "read_file", "write_file"], tools);
        Assert.Equal("workspace-isolation", client.ServerInfo?.Name);

        var created = await client.CallToolAsync("create_workspace", new Dictionary<string, object?> { ["isolation_mode"] = "process", ["limits"] = new { memory = "256m", disk = "8m" } });
        Assert.NotEqual(true, created.IsError);
        var id = created.StructuredContent!.Value.GetProperty("workspace_id").GetString()!;

        var written = await client.CallToolAsync("write_file", new Dictionary<string, object?> { ["workspace_id"] = id, ["path"] = "src/in.txt", ["content"] = "two words" });
        var counted = await client.CallToolAsync("exec", new Dictionary<string, object?> { ["workspace_id"] = id, ["command"] = new[] { "wc", "-w", "src/in.txt" } });
        var made = await client.CallToolAsync("exec", new Dictionary<string, object?> { ["workspace_id"] = id, ["script"] = "echo result > out.txt" });
        var read = await client.CallToolAsync("read_file", new Dictionary<string, object?> { ["workspace_id"] = id, ["path"] = "out.txt" });
        var listed = await client.CallToolAsync("list_files", new Dictionary<string, object?> { ["workspace_id"] = id, ["recursive"] = true });
        var all = await client.CallToolAsync("list_workspaces");

        Assert.NotEqual(true, written.IsError);
        Assert.Equal("2 src/in.txt", Text(counted).Trim());
        Assert.NotEqual(true, made.IsError);
        Assert.Equal("result\n", Text(read));
        Assert.Equal(["out.txt", "src", "src/in.txt"], listed.StructuredContent!.Value.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ToList());
        Assert.Equal(id, all.StructuredContent!.Value.GetProperty("workspaces")[0].GetProperty("workspace_id").GetString());

        // Mistakes are tool errors that say what is wrong.
        var failed = await client.CallToolAsync("exec", new Dictionary<string, object?> { ["workspace_id"] = id, ["script"] = "exit 7" });
        var traversal = await client.CallToolAsync("read_file", new Dictionary<string, object?> { ["workspace_id"] = id, ["path"] = "../../../../etc/passwd" });
        var missing = await client.CallToolAsync("write_file", new Dictionary<string, object?> { ["workspace_id"] = id, ["path"] = "a.txt" });
        var badMode = await client.CallToolAsync("create_workspace", new Dictionary<string, object?> { ["isolation_mode"] = "hologram" });
        var unknown = await client.CallToolAsync("exec", new Dictionary<string, object?> { ["workspace_id"] = "ws-missing", ["command"] = new[] { "true" } });
        Assert.True(failed.IsError);
        Assert.Equal(7, failed.StructuredContent!.Value.GetProperty("exit_code").GetInt32());
        Assert.Contains("The command exited with code 7", Text(failed), StringComparison.Ordinal);
        Assert.True(traversal.IsError);
        Assert.Contains("it leads outside the workspace", Text(traversal), StringComparison.Ordinal);
        Assert.Equal("'content' is required.", Text(missing));
        Assert.Equal("'isolation_mode' is 'hologram'; use container, process, vm, auto.", Text(badMode));
        Assert.Equal("No workspace has the id 'ws-missing'.", Text(unknown));

        var destroyed = await client.CallToolAsync("destroy_workspace", new Dictionary<string, object?> { ["workspace_id"] = id });
        Assert.NotEqual(true, destroyed.IsError);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/workspaces"));

        // The gateway at /mcp is still the gateway.
        await using var gateway = await McpClient.CreateAsync(new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            app.Client));
        Assert.Equal("taskflow-gateway", gateway.ServerInfo?.Name);
        Assert.DoesNotContain(await gateway.ListToolsAsync(), t => t.Name == "create_workspace");
    }

    [Fact]
    public async Task McpServer_WorkspaceIsolation_OverStdio_FromTheCommandLine()
    {
        var data = Directory.CreateTempSubdirectory("taskflow-ws-stdio-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // The sandbox user must be able to pass through (temporary folders are private).
            File.SetUnixFileMode(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        try
        {
            await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "workspace-isolation",
                Command = "dotnet",
                Arguments = [Path.Combine(AppContext.BaseDirectory, "taskflow.dll"), "mcp", "workspace-isolation"],
                EnvironmentVariables = new Dictionary<string, string?>
                {
                    ["TaskFlow__Engine__DataDirectory"] = data,
                    ["TaskFlow__Workspaces__DefaultIsolation"] = "Process",
                },
                WorkingDirectory = AppContext.BaseDirectory,
            }),

            // A .NET process starting on a busy machine can take longer than the SDK's 5 s probe.
            new McpClientOptions { DiscoverProbeTimeout = TimeSpan.FromSeconds(60) });

            var created = await client.CallToolAsync("create_workspace");
            var id = created.StructuredContent!.Value.GetProperty("workspace_id").GetString();
            var ran = await client.CallToolAsync("exec", new Dictionary<string, object?> { ["workspace_id"] = id, ["command"] = new[] { "echo", "over stdio" } });
            var destroyed = await client.CallToolAsync("destroy_workspace", new Dictionary<string, object?> { ["workspace_id"] = id });

            Assert.Equal("workspace-isolation", client.ServerInfo?.Name);
            Assert.Equal("process", created.StructuredContent!.Value.GetProperty("isolation_mode").GetString());
            Assert.Equal("over stdio\n", Text(ran));
            Assert.NotEqual(true, destroyed.IsError);
            Assert.Empty(Directory.EnumerateDirectories(Path.Combine(data, "workspaces")));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The cleanup passes are Hangfire recurring jobs on this machine's queue; triggering the lazy one reclaims a workspace released for it.</summary>
    [Fact]
    public async Task CleanupJobs_RunOnHangfire_OnThisMachinesQueue()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, ProcessWorkspaces);
        var lazyJob = $"{TaskFlow.Workspaces.Cleanup.WorkspaceCleanupJob.LazyJobPrefix}:{TaskFlow.Engine.Jobs.JobQueues.Local}";
        var scheduledJob = $"{TaskFlow.Workspaces.Cleanup.WorkspaceCleanupJob.ScheduledJobPrefix}:{TaskFlow.Engine.Jobs.JobQueues.Local}";
        var storage = app.Services.GetRequiredService<Hangfire.JobStorage>();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        List<Hangfire.Storage.RecurringJobDto> jobs;
        do
        {
            await Task.Delay(100, guard.Token);
            using var connection = storage.GetConnection();
            jobs = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).Where(j => j.Id == lazyJob || j.Id == scheduledJob).ToList();
        }
        while (jobs.Count < 2);

        Assert.All(jobs, j => Assert.Equal(TaskFlow.Engine.Jobs.JobQueues.Local, j.Job.Queue));
        Assert.Equal("*/5 * * * *", jobs.Single(j => j.Id == lazyJob).Cron);

        var manager = app.Services.GetRequiredService<WorkspaceManager>();
        var workspace = await manager.CreateAsync(new WorkspaceRequest());
        await manager.DestroyAsync(workspace.Id, CleanupMode.Lazy);
        Assert.NotNull(manager.Get(workspace.Id));

        app.Services.GetRequiredService<Hangfire.IRecurringJobManager>().Trigger(lazyJob);
        while (manager.Get(workspace.Id) is not null)
        {
            await Task.Delay(100, guard.Token);
        }
    }

    [Fact]
    public async Task TemplateFile_TheReportsTemplateNarrowed_ConfiguresTheServer()
    {
        var template = Path.Combine(Path.GetTempPath(), $"taskflow-template-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(template, """
            { "name": "workspace-isolation-mcp",
              "capabilities": { "tools": { "create_workspace": { "isolation_modes": ["process"] } },
                                "resources": { "max_workspaces": 1, "workspace_timeout": 60 } },
              "security": { "network_isolation": true, "filesystem_isolation": true, "process_isolation": true } }
            """);
        try
        {
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>(ProcessWorkspaces) { ["TaskFlow:Workspaces:TemplateFile"] = template, ["TaskFlow:Workspaces:WhenFull"] = "FailFast" });
            await using var client = await McpClient.CreateAsync(new HttpClientTransport(
                new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp/workspace-isolation"), TransportMode = HttpTransportMode.StreamableHttp },
                app.Client));

            var container = await client.CallToolAsync("create_workspace", new Dictionary<string, object?> { ["isolation_mode"] = "container" });
            var first = await client.CallToolAsync("create_workspace");
            var second = await client.CallToolAsync("create_workspace");

            Assert.Equal("Isolation mode 'container' is not offered here; use process.", Text(container));
            Assert.NotEqual(true, first.IsError);
            var expires = first.StructuredContent!.Value.GetProperty("expires_at").GetDateTimeOffset();
            Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(61));
            Assert.True(second.IsError);
            Assert.Contains("All 1 workspaces are in use", Text(second), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(template);
        }
    }

    /// <summary>Runs a saved definition and waits for the finished instance.</summary>
    private static async Task<JsonNode> RunAsync(TaskFlowApp app, string path, HttpContent? body)
    {
        using var response = await app.Client.PostAsync(path, body);
        return await TaskFlowApp.ReadAsync(response);
    }

    private static JsonNode Node(JsonNode instance, string nodeId) =>
        instance["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == nodeId)!;

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
