namespace TaskFlow.Testing;

/// <summary>
/// Finds the processes a test started by a marker in their environment (read from
/// <c>/proc/PID/environ</c>, as the process was started), so that a test can count a server's
/// processes and check that none outlived what should have ended them.
/// </summary>
internal static class MarkedProcesses
{
    /// <summary>The ids of running processes whose environment holds every one of <paramref name="entries"/> (<c>NAME=value</c>).</summary>
    public static List<int> Find(params string[] entries)
    {
        var ids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var id))
            {
                continue;
            }

            try
            {
                // NUL-separated NAME=value entries, as the process was started.
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (entries.All(environment.Contains))
                {
                    ids.Add(id);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours.
            }
        }

        return ids;
    }
}
