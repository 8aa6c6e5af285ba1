namespace TaskFlow.Workspaces.Tests.Process;

/// <summary>
/// A real cgroup2 mount: the host's own when it has one (<c>/sys/fs/cgroup</c> on v2 hosts,
/// <c>/sys/fs/cgroup/unified</c> on hybrid ones), else one mounted for the test in a temp folder
/// and unmounted afterwards. Needs root; a host where neither works fails the test, saying why.
/// </summary>
internal sealed class RealCgroup2 : IDisposable
{
    private readonly bool _mounted;

    private RealCgroup2(string root, bool mounted) => (Root, _mounted) = (root, mounted);

    public string Root { get; }

    public static RealCgroup2 Find()
    {
        foreach (var line in File.ReadLines("/proc/self/mounts"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && fields[2] == "cgroup2")
            {
                return new(fields[1], mounted: false);
            }
        }

        var folder = Directory.CreateTempSubdirectory("taskflow-cgroup2-").FullName;
        var (exit, error) = Run("mount", "-t", "cgroup2", "none", folder);
        if (exit != 0)
        {
            Directory.Delete(folder);
            throw new InvalidOperationException($"No cgroup2 hierarchy is mounted and one cannot be mounted here ({error.Trim()}); this test needs root on Linux.");
        }

        return new(folder, mounted: true);
    }

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", Root);
            Directory.Delete(Root);
        }
    }

    private static (int Exit, string Error) Run(string program, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
