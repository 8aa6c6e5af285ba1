using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskFlow.Workspaces.Container;

namespace TaskFlow.Workspaces.Tests.Container;

/// <summary>
/// The Docker engine the container tests run against: the one <c>DOCKER_HOST</c> names (the
/// CI script runs <c>scripts/start-docker.sh</c>, which starts one and makes
/// <c>local/busybox:latest</c>). No engine fails every test with the reason: these tests are the
/// evidence that the sandbox holds, so they are never skipped quietly.
/// </summary>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    private ContainerWorkspaceProvider? _provider;
    private DockerClient? _docker;

    public ContainerWorkspaceProvider Provider => _provider ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>A client of its own, for looking at containers the way an operator would.</summary>
    public DockerClient Docker => _docker ?? throw new InvalidOperationException("The fixture is not initialised.");

    public string Host { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new InvalidOperationException(
                "DOCKER_HOST is not set, so the container workspace tests have no Docker engine. "
                + "Start one with: eval \"$(bash scripts/start-docker.sh)\" (root; installs docker.io if missing), then run the tests from that shell.");
        }

        Host = host;
        _provider = CreateProvider(new ContainerWorkspaceOptions { DockerHost = host });
        var problem = await _provider.CheckAvailableAsync(CancellationToken.None);
        if (problem is not null)
        {
            throw new InvalidOperationException($"DOCKER_HOST is {host}, but container workspaces cannot run there: {problem}. scripts/start-docker.sh starts an engine with the image.");
        }

        _docker = new DockerClientConfiguration(new Uri(host)).CreateClient();
    }

    public Task DisposeAsync()
    {
        _provider?.Dispose();
        _docker?.Dispose();
        return Task.CompletedTask;
    }

    public static ContainerWorkspaceProvider CreateProvider(ContainerWorkspaceOptions options) =>
        new(Options.Create(options), NullLogger<ContainerWorkspaceProvider>.Instance, TimeProvider.System);

    /// <summary>A workspace with a fresh folder and a running container; disposing it destroys both.</summary>
    public async Task<TestWorkspace> CreateWorkspaceAsync(WorkspaceLimits? limits = null, WorkspaceOwner? owner = null)
    {
        var workspace = TestWorkspace.NewInfo(limits, owner);
        try
        {
            await Provider.CreateAsync(workspace, CancellationToken.None);
        }
        catch
        {
            await Provider.DestroyAsync(workspace.Id, CancellationToken.None);
            TestWorkspace.DeleteFolder(workspace.Folder);
            throw;
        }

        return new TestWorkspace(Provider, workspace);
    }

    public Task<ContainerInspectResponse> InspectAsync(TestWorkspace workspace) =>
        Docker.Containers.InspectContainerAsync(ContainerWorkspaceSpec.ContainerName(workspace.Id), CancellationToken.None);

    /// <summary>One sample of the container's statistics (CPU time, pids), read as the engine reports them.</summary>
    public async Task<ContainerStatsResponse> StatsAsync(TestWorkspace workspace)
    {
        var sample = new TaskCompletionSource<ContainerStatsResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await Docker.Containers.GetContainerStatsAsync(
            ContainerWorkspaceSpec.ContainerName(workspace.Id),
            new ContainerStatsParameters { Stream = false, OneShot = true },
            new Sample(sample),
            CancellationToken.None);
        return await sample.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private sealed class Sample(TaskCompletionSource<ContainerStatsResponse> sample) : IProgress<ContainerStatsResponse>
    {
        public void Report(ContainerStatsResponse value) => sample.TrySetResult(value);
    }
}

[CollectionDefinition(Name)]
public sealed class DockerEngineCollection : ICollectionFixture<DockerEngineFixture>
{
    /// <summary>One collection: the container tests share the engine and run one at a time, so that the CPU and pids measurements are not disturbed by each other.</summary>
    public const string Name = "Docker engine";
}
