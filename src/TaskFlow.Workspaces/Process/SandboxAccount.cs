namespace TaskFlow.Workspaces.Process;

/// <summary>
/// Finds the account a root service can start sandboxes as directly (without setpriv): the user's
/// name, when its primary group is the workspace group and no other group lists it.
/// </summary>
/// <remarks>
/// Starting a process under a user name sets that account's primary group and every group in
/// <c>/etc/group</c> that names it. The sandbox must run with the workspace group alone, so an
/// account with more groups is not used this way.
/// </remarks>
internal static class SandboxAccount
{
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
