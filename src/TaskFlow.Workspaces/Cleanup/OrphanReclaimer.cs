using Microsoft.Extensions.Logging;
using TaskFlow.Workspaces.Registry;

namespace TaskFlow.Workspaces.Cleanup;

/// <summary>
/// Reclaims what a crash leaves behind: sandboxes with this installation's scope but no record
/// (or a released one, whose sandbox should be gone), and folders under the root with no record.
/// Safe only because one process owns the root (<see cref="WorkspaceRootLock"/>): "no record"
/// then means "left by a crash", never "another live process's".
/// </summary>
internal sealed partial class OrphanReclaimer(WorkspaceRegistry registry, IEnumerable<IWorkspaceProvider> providers, ILogger logger)
{
    /// <summary>One scan; returns how many orphans it reclaimed.</summary>
    public async Task<int> ReclaimAsync(CancellationToken cancellationToken)
    {
        var reclaimed = 0;
        foreach (var provider in providers)
        {
            IReadOnlyList<string> owned;
            try
            {
                owned = await provider.ListOwnedAsync(cancellationToken);
            }
            catch (WorkspaceException ex)
            {
                // A mode that cannot run here has nothing to reclaim either.
                ScanFailed(logger, provider.Mode, ex.Message);
                continue;
            }

            foreach (var id in owned.Where(id => !registry.TryGet(id, out var w) || w.Record.State == WorkspaceState.Released))
            {
                await provider.DestroyAsync(id, cancellationToken);
                if (!registry.Contains(id))
                {
                    Reclaimed(logger, id, $"orphaned {provider.Mode.ToString().ToLowerInvariant()} sandbox");
                    reclaimed++;
                }
            }
        }

        foreach (var id in registry.FolderNames().Where(id => !registry.Contains(id)).ToList())
        {
            registry.DeleteFolder(id);
            Reclaimed(logger, id, "orphaned folder");
            reclaimed++;
        }

        return reclaimed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {Id} reclaimed: {Reason}")]
    private static partial void Reclaimed(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No orphan scan for {Mode} workspaces: {Reason}")]
    private static partial void ScanFailed(ILogger logger, IsolationMode mode, string reason);
}
