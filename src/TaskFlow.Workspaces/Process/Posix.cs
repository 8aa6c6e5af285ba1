using System.Runtime.InteropServices;

namespace TaskFlow.Workspaces.Process;

/// <summary>The few system calls .NET has no API for: pidfds to signal a process it did not start, and changing a file's owner.</summary>
internal static class Posix
{
    public const int SIGKILL = 9;

    /// <summary>Sent to a process that writes past its file size limit (the same number on x86-64 and arm64).</summary>
    public const int SIGXFSZ = 25;

    /// <summary>What <see cref="OpenPidfd"/> returns on a kernel without pidfds.</summary>
    public const int Unsupported = -2;

    private const int ESRCH = 3;
    private const int ENOSYS = 38;

    // The same numbers on every architecture since Linux 5.1/5.3 (the unified syscall table).
    private const long SysPidfdSendSignal = 424;
    private const long SysPidfdOpen = 434;

    /// <summary>
    /// A handle on one process that stays on that process even after its pid is reused: -1 when it
    /// is gone, or <see cref="Unsupported"/> on kernels before 5.3.
    /// </summary>
    public static int OpenPidfd(int pid)
    {
        var fd = (int)syscall(SysPidfdOpen, pid, 0, 0, 0);
        if (fd >= 0)
        {
            return fd;
        }

        return Marshal.GetLastPInvokeError() == ENOSYS ? Unsupported : -1;
    }

    /// <summary>SIGKILLs the process behind a pidfd; one already gone is fine.</summary>
    public static void KillPidfd(int pidfd)
    {
        if (syscall(SysPidfdSendSignal, pidfd, SIGKILL, 0, 0) != 0 && Marshal.GetLastPInvokeError() != ESRCH)
        {
            throw new WorkspaceException($"Could not kill a sandboxed process: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    public static void Close(int fd) => close(fd);

    /// <summary>SIGKILLs by pid, for kernels without pidfds; a process already gone is fine.</summary>
    public static void Kill(int pid)
    {
        if (kill(pid, SIGKILL) != 0 && Marshal.GetLastPInvokeError() != ESRCH)
        {
            throw new WorkspaceException($"Could not kill process {pid}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    public static void Chown(string path, int user, int group)
    {
        if (chown(path, user, group) != 0)
        {
            throw new WorkspaceException($"Could not give '{path}' to user {user}:{group}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern long syscall(long number, long arg1, long arg2, long arg3, long arg4);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);
}
