using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Deployment;

/// <summary>
/// docker/docker-compose.workspaces.yml, the override that gives the server and the workers
/// container workspaces on the host's engine: parsed as Compose reads it, and its workspace
/// settings run for real against the Docker engine the tests use (Compose itself cannot run
/// here, so the socket path and group are checked as text only).
/// </summary>
public sealed class ComposeWorkspacesTests
{
    private const string Socket = "/var/run/docker.sock:/var/run/docker.sock";

    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal)
    {
        ["POSTGRES_PASSWORD"] = "0123456789abcdef0123",
        ["TASKFLOW_API_KEY"] = "0123456789abcdef0123456789abcdef",
        ["DOCKER_GID"] = "998",
    };

    private readonly ComposeFile _overlay = new(DeploymentFiles.LoadYaml(DeploymentFiles.ComposeWorkspaces));
    private readonly ComposeFile _compose = ComposeFile.Load();

    [Theory]
    [InlineData("taskflow", TaskFlowRole.Serve)]
    [InlineData("taskflow-worker", TaskFlowRole.Worker)]
    public void Override_MountsTheSocketAndTheFolderAtTheSamePath_WithSettingsTheRoleReads(string service, TaskFlowRole role)
    {
        // It extends services of the main file; it adds none.
        Assert.NotNull(_compose.Services.Child(service));
        Assert.All(_overlay.Services.Entries(), s => Assert.NotNull(_compose.Services.Child(s.Key)));

        var volumes = _overlay.Service(service).Sequence("volumes", service).Strings().Select(v => ComposeFile.Interpolate(v, Variables)).ToList();
        Assert.Contains(Socket, volumes);
        var folder = Assert.Single(volumes, v => v != Socket).Split(':');
        Assert.Equal(2, folder.Length);
        Assert.Equal(folder[0], folder[1]);
        Assert.Equal("/var/lib/taskflow/workspaces", folder[0]);

        var environment = _overlay.Environment(service, Variables);
        Assert.Equal(folder[1] + "/{machine}", environment["TaskFlow__Workspaces__Root"]);
        Assert.Equal("Container", environment["TaskFlow__Workspaces__DefaultIsolation"]);
        Assert.Equal("1654:1654", environment["TaskFlow__Workspaces__Container__User"]);
        Assert.All(environment, e => Assert.Null(AppSettings.Problem(e.Key, e.Value, role)));

        var groups = _overlay.Service(service).Sequence("group_add", service).Strings().Select(g => ComposeFile.Interpolate(g, Variables));
        Assert.Equal(["998"], groups);

        // The server runs once: a fixed host name keeps its folder across a recreated container.
        // Workers scale, so each keeps its own.
        Assert.Equal(role == TaskFlowRole.Serve ? "taskflow" : null, _overlay.Service(service).Child("hostname")?.ToString());
    }

    [Fact]
    public void Override_WithoutDockerGid_ComposeStopsNamingIt()
    {
        var required = ComposeFile.RequiredVariables(File.ReadAllText(DeploymentFiles.ComposeWorkspaces));
        Assert.Equal(["DOCKER_GID"], required);

        var example = File.ReadAllText(DeploymentFiles.EnvExample);
        Assert.Contains("# DOCKER_GID=", example, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverrideSettings_RunAnExecActivityInAContainer_UnderTheHostNamedFolder()
    {
        var root = TestDatabases.CreateFolder("taskflow-compose-ws-");
        var environment = _overlay.Environment("taskflow", Variables);

        // The override's settings, with the test's folder for the host folder and the test
        // engine's image (no registry here); the engine is the one in DOCKER_HOST.
        var settings = environment.ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => e.Value);
        settings["TaskFlow:Workspaces:Root"] = environment["TaskFlow__Workspaces__Root"]!.Replace("/var/lib/taskflow/workspaces", root.Folder, StringComparison.Ordinal);
        settings["TaskFlow:Workspaces:Container:Image"] = "local/busybox:latest";
        settings["TaskFlow:Workspaces:WarmPoolSize"] = "0";
        try
        {
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
            await app.SaveAsync("""
                { "id": "compose-boxed",
                  "nodes": [ { "id": "inside", "type": "exec", "inputs": { "script": "id -u; echo made > out.txt; ls -n out.txt | awk '{print $3}'" } } ],
                  "edges": [] }
                """);

            using var response = await app.Client.PostAsync("/api/definitions/compose-boxed/run?wait=true&timeout=120", null);
            var instance = await TaskFlowApp.ReadAsync(response);

            Assert.True((string?)instance["status"] == "Succeeded", instance.ToJsonString());
            var output = instance["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "inside")!["output"]!;
            Assert.Equal("container", (string?)output["isolation"]);
            Assert.Equal("1654\n1654\n", (string?)output["stdout"]);
            Assert.True(File.Exists(Path.Combine(root.Folder, Environment.MachineName, ".lock")), "the workspaces were not kept under the host name");
        }
        finally
        {
            await root.Delete();
        }
    }
}
