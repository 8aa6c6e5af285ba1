using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskFlow.Workspaces.Admission;
using TaskFlow.Workspaces.Container;
using TaskFlow.Workspaces.Process;

namespace TaskFlow.Workspaces.Tests.Admission;

/// <summary>Modes, limits and slots, decided before anything is made. The providers are real ones pointed at what is not there.</summary>
public sealed class WorkspaceAdmissionTests
{
    [Fact]
    public void CheckLimits_SeveralAboveTheConfigured_RefusedWithEveryReason()
    {
        using var admission = new WorkspaceAdmission(new WorkspaceOptions(), new Dictionary<IsolationMode, IWorkspaceProvider>());

        var error = Assert.Throws<WorkspaceException>(() => admission.CheckLimits(new WorkspaceLimits { MemoryBytes = 0, Cpus = 64, Pids = 256, DiskBytes = 1, Network = true }));

        Assert.Equal(
            "The workspace limits are refused: memory 0 bytes is not between 1 and the configured 4294967296; cpus 64 is not above 0 and at most the configured 2; network is not allowed (TaskFlow:Workspaces:AllowNetwork is false).",
            error.Message);
        Assert.Equal(new WorkspaceOptions().Limits, admission.CheckLimits(null));
    }

    [Fact]
    public async Task TakeSlotAsync_FullAndFailFast_RefusesAtOnceNamingTheLimit_AndAFreedSlotIsTakenAgain()
    {
        using var admission = new WorkspaceAdmission(new WorkspaceOptions { MaxWorkspaces = 1, WhenFull = WhenFull.FailFast }, new Dictionary<IsolationMode, IWorkspaceProvider>());
        await admission.TakeSlotAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<WorkspaceException>(() => admission.TakeSlotAsync(CancellationToken.None));

        Assert.Equal("All 1 workspaces are in use (TaskFlow:Workspaces:MaxWorkspaces); destroy one or try again later.", error.Message);
        admission.ReleaseSlot();
        await admission.TakeSlotAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ChooseAsync_AutoWithNeitherModeAvailable_NamesWhyForBoth()
    {
        using var containers = new ContainerWorkspaceProvider(
            Options.Create(new ContainerWorkspaceOptions { DockerHost = "unix:///nonexistent/taskflow-test/docker.sock" }), NullLogger<ContainerWorkspaceProvider>.Instance, TimeProvider.System);
        using var sandboxes = new ProcessWorkspaceProvider(
            Options.Create(new ProcessWorkspaceOptions { BubblewrapPath = "/nonexistent/taskflow-test/bwrap" }), NullLogger<ProcessWorkspaceProvider>.Instance, TimeProvider.System);
        using var admission = new WorkspaceAdmission(new WorkspaceOptions(), new Dictionary<IsolationMode, IWorkspaceProvider> { [IsolationMode.Container] = containers, [IsolationMode.Process] = sandboxes });

        var error = await Assert.ThrowsAsync<WorkspaceException>(() => admission.ChooseAsync(IsolationMode.Auto, CancellationToken.None));

        Assert.StartsWith("Isolation mode 'auto' found no way to run a workspace on this host (container: ", error.Message);
        Assert.Contains("; process: bubblewrap (bwrap) is not installed at /nonexistent/taskflow-test/bwrap", error.Message);
    }

    [Fact]
    public async Task ChooseAsync_ModeNotOffered_IsRefusedNamingTheOfferedOnes()
    {
        using var admission = new WorkspaceAdmission(new WorkspaceOptions { AllowedIsolation = [IsolationMode.Process] }, new Dictionary<IsolationMode, IWorkspaceProvider>());

        var error = await Assert.ThrowsAsync<WorkspaceException>(() => admission.ChooseAsync(IsolationMode.Container, CancellationToken.None));

        Assert.Equal("Isolation mode 'container' is not offered here; use process.", error.Message);
    }
}
