namespace TaskFlow.Workspaces.Process;

/// <summary>
/// Finds the account a root service can start sandboxes as directly (without setpriv): the user's
/// name, when its primary group is the workspace group and no other group lists it.
/// </summary>
/// <remarks>
/// Starting a process under a user name sets that account's primary group and every group the
/// system's group database lists it in. The sandbox must run with the workspace group alone, so an
/// account with more groups is not used this way: <see cref="Find"/> reads the files, and
/// <see cref="Confirm"/> asks the system itself (a directory service may add groups the files do
/// not show).
/// </remarks>
internal static class SandboxAccount
{
    /// <summary>The account <see cref="Find"/> names, if a process started under it really has <paramref name="group"/> as its only group.</summary>
    public static string? FindConfirmed(int user, int group) =>
        Find(user, group) is { } name && Confirm(name, group) ? name : null;

    /// <summary>Starts <c>id -G</c> under <paramref name="name"/>, as sandboxes would be started, and checks that its only group is <paramref name="group"/>.</summary>
    public static bool Confirm(string name, int group)
    {
        if (HostExecutables.Find("id") is not { } id)
        {
            return false;
        }

        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(id, ["-G"]) { UserName = name, RedirectStandardOutput = true, UseShellExecute = false };
            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            return process.WaitForExit(TimeSpan.FromSeconds(10)) && process.ExitCode == 0
                && output.Trim() == group.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    public static string? Find(int user, int group, string passwdFile = "/etc/passwd", string groupFile = "/etc/group")
    {
        if (!File.Exists(passwdFile))
        {
            return null;
        }

        string? name = null;
        foreach (var line in File.ReadLines(passwdFile))
        {
            // name:password:uid:gid:gecos:home:shell
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[2] == user.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                if (fields[3] != group.ToString(System.Globalization.CultureInfo.InvariantCulture) || fields[0].Length == 0)
                {
                    return null;
                }

                name = fields[0];
                break;
            }
        }

        if (name is null || !File.Exists(groupFile))
        {
            return name;
        }

        foreach (var line in File.ReadLines(groupFile))
        {
            // name:password:gid:member,member
            var fields = line.Split(':');
            if (fields.Length >= 4 && fields[2] != group.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && fields[3].Split(',').Contains(name, StringComparer.Ordinal))
            {
                return null;
            }
        }

        return name;
    }
}
