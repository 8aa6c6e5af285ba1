using System.Runtime.InteropServices;

namespace TaskFlow.Workspaces.Container;

/// <summary>
/// Makes the workspace folder the container user's: owned by its uid:gid, mode 0700. The
/// bind mount keeps host ownership, so without this the unprivileged user could not write
/// its only writable place; 0700 keeps the folder closed to every other user on the host.
/// Needs root (CAP_CHOWN), or TaskFlow running as that same user.
/// </summary>
internal static class WorkspaceFolderAccess
{
    public static void GiveTo(string folder, uint uid, uint gid)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Container workspaces need a Linux host.");
        }

        if (!Directory.Exists(folder))
        {
            throw new WorkspaceException($"The workspace folder '{folder}' does not exist; the workspace manager creates it before the container.");
        }

        if (chown(folder, uid, gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new WorkspaceException(
                $"Could not give the workspace folder '{folder}' to the container user {uid}:{gid} (errno {errno}). "
                + $"Run TaskFlow as root, or set {ContainerWorkspaceOptions.SectionName}:User to the uid:gid TaskFlow runs as.");
        }

        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, uint owner, uint group);
}
