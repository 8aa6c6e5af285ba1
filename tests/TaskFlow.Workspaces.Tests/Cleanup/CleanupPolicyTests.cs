using TaskFlow.Workspaces.Cleanup;
using TaskFlow.Workspaces.Registry;

namespace TaskFlow.Workspaces.Tests.Cleanup;

/// <summary>When a workspace's files go: the whole cleanup policy, without sandboxes or a clock.</summary>
public sealed class CleanupPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(CleanupPass.Lazy)]
    [InlineData(CleanupPass.Scheduled)]
    public async Task ReasonToReclaimAsync_ReleasedForLazyCleanup_EveryPassTakesIt(CleanupPass pass)
    {
        var workspace = Tracked(State: WorkspaceState.Released, Cleanup: CleanupMode.Lazy);

        Assert.Equal("released for lazy cleanup", await Policy().ReasonToReclaimAsync(workspace, pass, Now, CancellationToken.None));
    }

    [Fact]
    public async Task ReasonToReclaimAsync_Expired_OnlyTheScheduledPassTakesIt_AndNeverWhileACommandRuns()
    {
        var workspace = Tracked(ExpiresAt: Now);

        Assert.Null(await Policy().ReasonToReclaimAsync(workspace, CleanupPass.Lazy, Now, CancellationToken.None));
        Assert.Equal("expired", await Policy().ReasonToReclaimAsync(workspace, CleanupPass.Scheduled, Now, CancellationToken.None));

        workspace.Running = 1;
        Assert.Null(await Policy().ReasonToReclaimAsync(workspace, CleanupPass.Scheduled, Now, CancellationToken.None));
    }

    [Fact]
    public async Task ReasonToReclaimAsync_InstanceFinished_ScheduledPassTakesIt_ReleasedForScheduledCleanupToo()
    {
        var owners = new Owners("finished-1");
        var finished = Tracked(Owner: new WorkspaceOwner("finished-1", "n"));
        var releasedScheduled = Tracked(Owner: new WorkspaceOwner("finished-1", "n"), State: WorkspaceState.Released, Cleanup: CleanupMode.Scheduled);
        var running = Tracked(Owner: new WorkspaceOwner("running-1", "n"));

        Assert.Equal("its instance finished", await Policy(owners).ReasonToReclaimAsync(finished, CleanupPass.Scheduled, Now, CancellationToken.None));
        Assert.Equal("its instance finished", await Policy(owners).ReasonToReclaimAsync(releasedScheduled, CleanupPass.Scheduled, Now, CancellationToken.None));
        Assert.Null(await Policy(owners).ReasonToReclaimAsync(running, CleanupPass.Scheduled, Now, CancellationToken.None));
        Assert.Null(await Policy(owners: null).ReasonToReclaimAsync(finished, CleanupPass.Scheduled, Now, CancellationToken.None));
    }

    [Fact]
    public async Task ReasonToReclaimAsync_WarmContainer_IsNeverReclaimedByAPass()
    {
        var warm = Tracked(State: WorkspaceState.Warm, ExpiresAt: Now.AddDays(-1));

        Assert.Null(await Policy().ReasonToReclaimAsync(warm, CleanupPass.Scheduled, Now, CancellationToken.None));
    }

    [Fact]
    public void ModeFor_AskedModeNotOffered_IsRefusedNamingTheOfferedOnes()
    {
        var policy = Policy(options: new WorkspaceOptions { AllowedCleanup = [CleanupMode.Lazy, CleanupMode.Scheduled], Cleanup = CleanupMode.Lazy });

        var error = Assert.Throws<WorkspaceException>(() => policy.ModeFor(CleanupMode.Immediate, CleanupMode.Lazy));

        Assert.Equal("Cleanup mode 'immediate' is not offered here; use lazy, scheduled.", error.Message);
        Assert.Equal(CleanupMode.Scheduled, policy.ModeFor(CleanupMode.Scheduled, CleanupMode.Lazy));
        Assert.Equal(CleanupMode.Lazy, policy.ModeFor(null, CleanupMode.Lazy));
        Assert.Equal(CleanupMode.Lazy, policy.ModeForNew(null));
    }

    private static CleanupPolicy Policy(IWorkspaceOwnerStatus? owners = null, WorkspaceOptions? options = null) => new(options ?? new WorkspaceOptions(), owners);

    private static TrackedWorkspace Tracked(
        WorkspaceOwner? Owner = null,
        DateTimeOffset? ExpiresAt = null,
        WorkspaceState State = WorkspaceState.Active,
        CleanupMode Cleanup = CleanupMode.Immediate) =>
        new(new WorkspaceRecord("ws-1", IsolationMode.Process, new WorkspaceLimits(), Owner ?? new WorkspaceOwner(), Now.AddHours(-1), ExpiresAt ?? Now.AddHours(1), Cleanup, null, State));

    private sealed class Owners(params string[] finished) : IWorkspaceOwnerStatus
    {
        public Task<bool> IsFinishedAsync(string instanceId, CancellationToken cancellationToken) => Task.FromResult(finished.Contains(instanceId));
    }
}
