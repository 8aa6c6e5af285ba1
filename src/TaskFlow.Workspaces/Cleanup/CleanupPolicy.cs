using TaskFlow.Workspaces.Registry;

namespace TaskFlow.Workspaces.Cleanup;

/// <summary>
/// When a workspace's files go, in one place. Destroying a workspace always removes its sandbox
/// and frees its slot at once; its files go:
/// <list type="bullet">
/// <item><see cref="CleanupMode.Immediate"/>: at once;</item>
/// <item><see cref="CleanupMode.Lazy"/>: at the next pass of either kind (so never later than both periods);</item>
/// <item><see cref="CleanupMode.Scheduled"/>: at the scheduled pass after it expires.</item>
/// </list>
/// The scheduled pass also reclaims, whatever their mode, workspaces past their timeout and those
/// whose instance has finished (never while a command runs in them), and orphans (see
/// <see cref="OrphanReclaimer"/>). Warm containers are the pool's, never a pass's.
/// </summary>
internal sealed class CleanupPolicy(WorkspaceOptions options, IWorkspaceOwnerStatus? owners)
{
    /// <summary>The mode a workspace is destroyed with: the one asked for when offered here, else the workspace's own.</summary>
    /// <exception cref="WorkspaceException">The asked mode is not offered (the template's <c>cleanup_modes</c>).</exception>
    public CleanupMode ModeFor(CleanupMode? asked, CleanupMode workspaceDefault)
    {
        CheckOffered(asked);
        return asked ?? workspaceDefault;
    }

    /// <summary>The mode a new workspace gets: the one asked for when offered here, else the configured default.</summary>
    public CleanupMode ModeForNew(CleanupMode? asked) => ModeFor(asked, options.Cleanup);

    /// <summary>Refuses a mode the template does not offer, naming those it does.</summary>
    public void CheckOffered(CleanupMode? asked)
    {
        if (asked is { } mode && options.AllowedCleanup is { Count: > 0 } offered && !offered.Contains(mode))
        {
            throw new WorkspaceException($"Cleanup mode '{Name(mode)}' is not offered here; use {string.Join(", ", offered.Select(Name))}.");
        }
    }

    /// <summary>Why <paramref name="pass"/> reclaims the workspace now, or null when it stays.</summary>
    public async Task<string?> ReasonToReclaimAsync(TrackedWorkspace workspace, CleanupPass pass, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = workspace.Record;
        if (record.State == WorkspaceState.Warm)
        {
            return null;
        }

        if (record is { State: WorkspaceState.Released, Cleanup: CleanupMode.Lazy })
        {
            // The scheduled pass takes them too, so lazy cleanup never waits for more than both periods.
            return "released for lazy cleanup";
        }

        if (pass != CleanupPass.Scheduled || Volatile.Read(ref workspace.Running) != 0)
        {
            return null;
        }

        if (record.ExpiresAt <= now)
        {
            return "expired";
        }

        return record.Owner.InstanceId is { } instance && owners is not null && await owners.IsFinishedAsync(instance, cancellationToken)
            ? "its instance finished"
            : null;
    }

    private static string Name(CleanupMode mode) => mode.ToString().ToLowerInvariant();
}
