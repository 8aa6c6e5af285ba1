using TaskFlow.Workspaces.Registry;

namespace TaskFlow.Workspaces.Files;

/// <summary>
/// Reading, writing and listing a workspace's files from the host: paths cannot lead outside
/// (<see cref="WorkspacePathGuard"/>), and a write that would pass the disk quota is refused
/// before anything is written.
/// </summary>
internal sealed class WorkspaceFiles(WorkspaceRegistry registry)
{
    /// <summary>Writes a file (creating its folders), refusing paths that lead outside and content that would exceed the quota.</summary>
    public async Task WriteAsync(string id, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var workspace = registry.Active(id);
        var folder = registry.FilesOf(id);
        var target = WorkspacePathGuard.Resolve(folder, path);
        if (Directory.Exists(target))
        {
            throw new WorkspaceException($"The path '{path}' is a folder; give a file path.");
        }

        var existing = File.Exists(target) ? new FileInfo(target).Length : 0;
        var used = DiskUsage.Measure(folder);
        if (used - existing + content.Length > workspace.Record.Limits.DiskBytes)
        {
            throw new WorkspaceException($"Writing {content.Length} bytes to '{path}' would exceed the workspace's disk quota of {workspace.Record.Limits.DiskBytes} bytes ({used} in use).");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllBytesAsync(target, content.ToArray(), cancellationToken);
        MakeSandboxWritable(target, folder);
    }

    /// <summary>Reads up to <paramref name="maxBytes"/> of a file.</summary>
    public async Task<WorkspaceFile> ReadAsync(string id, string path, int maxBytes, CancellationToken cancellationToken)
    {
        _ = registry.Find(id);
        var target = WorkspacePathGuard.Resolve(registry.FilesOf(id), path);
        if (!File.Exists(target))
        {
            throw new WorkspaceException(Directory.Exists(target) ? $"The path '{path}' is a folder; list it instead." : $"The workspace has no file '{path}'.");
        }

        await using var stream = File.OpenRead(target);
        var length = stream.Length;
        var buffer = new byte[(int)Math.Min(length, maxBytes)];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return new WorkspaceFile(path, buffer, length, length > buffer.Length);
    }

    /// <summary>The files and folders under a folder of the workspace (its top when null).</summary>
    public IReadOnlyList<WorkspaceEntry> List(string id, string? path, bool recursive)
    {
        _ = registry.Find(id);
        var folder = registry.FilesOf(id);
        var start = path is null ? folder : WorkspacePathGuard.Resolve(folder, path);
        if (!Directory.Exists(start))
        {
            throw new WorkspaceException($"The workspace has no folder '{path}'.");
        }

        var options = new EnumerationOptions { RecurseSubdirectories = recursive, IgnoreInaccessible = true, AttributesToSkip = 0 };
        return [.. new DirectoryInfo(start).EnumerateFileSystemInfos("*", options)
            .Select(i => new WorkspaceEntry(
                Path.GetRelativePath(folder, i.FullName),
                i is DirectoryInfo,
                i is FileInfo f && f.LinkTarget is null ? f.Length : 0,
                i.LastWriteTimeUtc))
            .OrderBy(e => e.Path, StringComparer.Ordinal)];
    }

    /// <summary>A file written from the host must be writable by the sandbox's user too.</summary>
    private static void MakeSandboxWritable(string file, string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        File.SetUnixFileMode(file, mode);
        for (var dir = Path.GetDirectoryName(file); dir is not null && dir.Length > folder.Length; dir = Path.GetDirectoryName(dir))
        {
            File.SetUnixFileMode(dir, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }
}
