using System.Globalization;

namespace TaskFlow.Workspaces.Process;

/// <summary>Which kernel interface the sandbox's cgroups use.</summary>
public enum CgroupVersion
{
    /// <summary>One hierarchy per controller: <c>{root}/memory</c>, <c>{root}/pids</c>, <c>{root}/cpu</c>.</summary>
    V1,

    /// <summary>The unified hierarchy: one tree, controllers enabled per subtree through <c>cgroup.subtree_control</c>.</summary>
    V2,
}

/// <summary>
/// Where the sandbox's cgroups live, and whether through cgroup v1 or v2: found from the shape of
/// <see cref="ProcessWorkspaceOptions.CgroupRoot"/>. A folder with <c>cgroup.controllers</c> is a
/// cgroup v2 hierarchy (or a cgroup delegated in one); a folder with the v1 <c>memory</c>,
/// <c>pids</c> and <c>cpu</c> hierarchies below it is cgroup v1. A hybrid host (v1 controllers,
/// and an empty v2 tree at <c>unified</c>) is v1: a controller bound to a v1 hierarchy is not
/// available in v2.
/// </summary>
internal sealed record CgroupHierarchy(string Root, CgroupVersion Version)
{
    /// <summary>The controllers that hold a workspace's limits.</summary>
    public static readonly string[] Controllers = ["memory", "pids", "cpu"];

    /// <summary>The hierarchy at <paramref name="root"/>, or null (with the reason) when there is none.</summary>
    public static CgroupHierarchy? Detect(string root, out string? problem)
    {
        problem = null;
        if (File.Exists(Path.Combine(root, "cgroup.controllers")))
        {
            return new(root, CgroupVersion.V2);
        }

        if (Controllers.Any(c => File.Exists(Path.Combine(root, c, "cgroup.procs"))))
        {
            return new(root, CgroupVersion.V1);
        }

        problem = $"no cgroup hierarchy is mounted at {root}: neither cgroup v2 (no cgroup.controllers there) "
            + $"nor the cgroup v1 controllers {string.Join(", ", Controllers)} (no {Path.Combine(root, "{memory,pids,cpu}", "cgroup.procs")})";
        return null;
    }

    /// <summary>The folders that make up the cgroup at <paramref name="relativePath"/>: one per controller in v1, one in v2.</summary>
    public IEnumerable<string> FoldersOf(string relativePath) => Version == CgroupVersion.V1
        ? Controllers.Select(c => Path.Combine(Root, c, relativePath))
        : [Path.Combine(Root, relativePath)];

    /// <summary>The folder that holds <paramref name="controller"/>'s files for the cgroup at <paramref name="relativePath"/>.</summary>
    public string PathOf(string controller, string relativePath) => Version == CgroupVersion.V1
        ? Path.Combine(Root, controller, relativePath)
        : Path.Combine(Root, relativePath);

    /// <summary>One line for the log: what limits the sandbox can enforce here, and through what.</summary>
    public override string ToString() =>
        $"cgroup {(Version == CgroupVersion.V1 ? "v1" : "v2")} at {Root} (memory, CPU and process limits)";

    /// <summary>Why cgroups cannot be made under <paramref name="parent"/> here, or null when they can (checked by making and removing one).</summary>
    public string? Problem(string parent)
    {
        if (Version == CgroupVersion.V1)
        {
            foreach (var controller in Controllers)
            {
                var hierarchy = Path.Combine(Root, controller);
                if (!File.Exists(Path.Combine(hierarchy, "cgroup.procs")))
                {
                    return $"the cgroup v1 '{controller}' controller is not mounted at {hierarchy}";
                }
            }
        }
        else
        {
            var offered = ReadWords(Path.Combine(Root, "cgroup.controllers"));
            var missing = Controllers.Where(c => !offered.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                return $"the cgroup v2 hierarchy at {Root} does not offer the {string.Join(", ", missing)} controller(s) "
                    + $"(it offers: {(offered.Count == 0 ? "none" : string.Join(", ", offered))}); a controller bound to a cgroup v1 hierarchy is not "
                    + "available in v2, and a delegated cgroup offers only what its parent enables";
            }
        }

        var probe = new CgroupSet(this, Path.Combine(parent, $"probe-{Guid.NewGuid():N}"));
        try
        {
            probe.CreateFolders();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var where = Version == CgroupVersion.V1 ? Path.Combine(Root, "{memory,pids,cpu}", parent) : Path.Combine(Root, parent);
            return $"cgroups cannot be created under {where} ({ex.Message}); run TaskFlow as root or delegate that cgroup to its user"
                + (Version == CgroupVersion.V2 ? $" (in cgroup v2, {Root} must hold no processes of its own to enable controllers for its children)" : "");
        }
        finally
        {
            foreach (var folder in FoldersOf(probe.RelativePath))
            {
                CgroupSet.TryRemoveFolder(folder);
            }
        }
    }

    /// <summary>Removes <paramref name="parent"/> wherever no cgroup is left in it; one in use, or not ours to remove, stays.</summary>
    public void RemoveIfEmpty(string parent)
    {
        foreach (var folder in FoldersOf(parent))
        {
            try
            {
                if (Directory.Exists(folder) && !Directory.EnumerateDirectories(folder).Any())
                {
                    CgroupSet.TryRemoveFolder(folder);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to look into.
            }
        }
    }

    /// <summary>
    /// cgroup v2: makes <paramref name="controllers"/> available to the children of the cgroup at
    /// <paramref name="relativePath"/> (empty for the root), writing only those not enabled yet.
    /// </summary>
    /// <remarks>
    /// The kernel refuses this (EBUSY) in a non-root cgroup that holds processes ("no internal
    /// processes"): the workspace's parent and the workspace itself never hold any, every command
    /// runs in a child of its own.
    /// </remarks>
    public void EnableForChildren(string relativePath)
    {
        var file = Path.Combine(Root, relativePath, "cgroup.subtree_control");
        var enabled = File.Exists(file) ? ReadWords(file) : [];
        var wanted = Controllers.Where(c => !enabled.Contains(c)).Select(c => "+" + c).ToList();
        if (wanted.Count > 0)
        {
            File.WriteAllText(file, string.Join(' ', wanted));
        }
    }

    /// <summary>The value after <paramref name="key"/> in a flat-keyed file (<c>memory.events</c>, <c>memory.oom_control</c>), or null.</summary>
    public static long? ReadKey(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(key + " ", StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(key.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    private static HashSet<string> ReadWords(string file)
    {
        try
        {
            return [.. File.ReadAllText(file).Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
