namespace TaskFlow.Workspaces;

/// <summary>
/// Turns a path a caller gave for a file in a workspace into a host path, refusing anything that
/// would reach outside the workspace folder: absolute paths, <c>..</c> that climbs out, and
/// symbolic links (at any step) whose target is outside. A link that stays inside is followed.
/// </summary>
internal static class WorkspacePathGuard
{
    /// <summary>The host path for <paramref name="relative"/> inside <paramref name="root"/>.</summary>
    /// <exception cref="WorkspacePathException">The path is empty, absolute, or leads outside.</exception>
    public static string Resolve(string root, string relative)
    {
        if (string.IsNullOrWhiteSpace(relative))
        {
            throw new WorkspacePathException(relative, "the path is empty");
        }

        if (relative.Contains('\0', StringComparison.Ordinal))
        {
            throw new WorkspacePathException(relative, "the path contains a NUL character");
        }

        // "/workspace/x" is how commands inside see the file: accept it as "x".
        if (relative == WorkspacePaths.Inside || relative.StartsWith(WorkspacePaths.Inside + "/", StringComparison.Ordinal))
        {
            relative = relative.Length == WorkspacePaths.Inside.Length ? "." : relative[(WorkspacePaths.Inside.Length + 1)..];
        }
        else if (Path.IsPathRooted(relative))
        {
            throw new WorkspacePathException(relative, "absolute paths are not allowed; give a path relative to the workspace");
        }

        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(fullRoot, relative));
        if (!IsInside(fullRoot, full))
        {
            throw new WorkspacePathException(relative, "it leads outside the workspace");
        }

        // Walk every existing step: a link anywhere on the way must stay inside. Steps that do
        // not exist yet (a file about to be written) are appended as they are.
        var current = fullRoot;
        var parts = Path.GetRelativePath(fullRoot, full).Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            var info = new FileInfo(next);
            if (info.LinkTarget is null)
            {
                if (!info.Exists && !Directory.Exists(next))
                {
                    return Path.Combine([current, .. parts[i..]]);
                }

                current = next;
                continue;
            }

            var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
            if (target is null || !IsInside(fullRoot, Path.GetFullPath(target)))
            {
                throw new WorkspacePathException(relative, "it goes through a symbolic link that points outside the workspace");
            }

            current = Path.GetFullPath(target);
        }

        return current;
    }

    private static bool IsInside(string root, string path) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);
}

/// <summary>A file path given for a workspace was refused.</summary>
public sealed class WorkspacePathException(string path, string reason)
    : WorkspaceException($"The path '{path}' is refused: {reason}.")
{
    public string Path { get; } = path;
}
