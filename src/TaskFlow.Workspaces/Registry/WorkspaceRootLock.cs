namespace TaskFlow.Workspaces.Registry;

/// <summary>
/// The exclusive lock a process holds on <c>{Root}/.lock</c> from its first look at the folder
/// until it is disposed (the kernel lets go of it when the process dies). "No record" can only
/// mean "left by a crash" if no other live process keeps workspaces in the same folder: a second
/// live process on the same root would otherwise take the first one's workspaces for a crash's
/// leftovers and delete them. It is refused instead, with a message naming the root.
/// </summary>
internal sealed class WorkspaceRootLock(string root) : IDisposable
{
    private const string LockFile = ".lock";

    private readonly Lock _gate = new();
    private FileStream? _lock;

    /// <summary>Takes the lock once; throws when another live process holds it.</summary>
    /// <param name="create">Make the root if it does not exist yet; otherwise a missing root is left missing (and unlocked).</param>
    public void Take(bool create)
    {
        lock (_gate)
        {
            if (_lock is not null || (!create && !Directory.Exists(root)))
            {
                return;
            }

            Directory.CreateDirectory(root);
            try
            {
                // FileShare.None is an exclusive flock on Unix: held until disposed or the process ends.
                _lock = new FileStream(Path.Combine(root, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            }
            catch (IOException ex)
            {
                throw new WorkspaceException(
                    $"The workspace folder {root} is in use by another running TaskFlow process. Each process needs a folder of its own "
                    + "(TaskFlow:Workspaces:Root, or a data folder of its own); nothing in it was touched.",
                    ex);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _lock?.Dispose();
            _lock = null;
        }
    }
}
