using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Workspaces.Registry;

/// <summary>
/// Every workspace this process knows, in memory and on disk: <c>{Root}/{id}/files</c> is the
/// workspace (mounted at <c>/workspace</c> inside) and <c>{Root}/{id}/workspace.json</c> its
/// record, read back at start so a restarted process finds what the previous one left.
/// </summary>
internal sealed partial class WorkspaceRegistry(string root, ILogger logger)
{
    internal const string RecordFile = "workspace.json";
    internal const string FilesFolder = "files";

    private readonly ConcurrentDictionary<string, TrackedWorkspace> _workspaces = new(StringComparer.Ordinal);

    public string Root { get; } = root;

    /// <summary>Every tracked workspace, warm ones included.</summary>
    public ICollection<TrackedWorkspace> All => _workspaces.Values;

    /// <summary>The workspaces callers see: every one but the warm pool's.</summary>
    public IEnumerable<TrackedWorkspace> Visible => _workspaces.Values.Where(w => w.Record.State != WorkspaceState.Warm);

    public bool Contains(string id) => _workspaces.ContainsKey(id);

    public bool TryGet(string id, out TrackedWorkspace workspace) => _workspaces.TryGetValue(id, out workspace!);

    public void Track(WorkspaceRecord record) => _workspaces[record.Id] = new TrackedWorkspace(record);

    /// <summary>Stops tracking; false when another caller did first (so exactly one caller reclaims a workspace).</summary>
    public bool Forget(string id) => _workspaces.TryRemove(id, out _);

    /// <summary>A workspace callers may see (not a warm one), or <see cref="WorkspaceNotFoundException"/>.</summary>
    public TrackedWorkspace Find(string id) =>
        _workspaces.TryGetValue(id, out var workspace) && workspace.Record.State != WorkspaceState.Warm ? workspace : throw new WorkspaceNotFoundException(id);

    /// <summary>A workspace that can still run commands and take files.</summary>
    public TrackedWorkspace Active(string id)
    {
        var workspace = Find(id);
        return workspace.Record.State == WorkspaceState.Active
            ? workspace
            : throw new WorkspaceException($"Workspace '{id}' was destroyed ({workspace.Record.Cleanup.ToString().ToLowerInvariant()} cleanup); its files can still be read until cleanup reclaims them.");
    }

    public string FilesOf(string id) => Path.Combine(Root, id, FilesFolder);

    public WorkspaceView View(TrackedWorkspace workspace) =>
        new(workspace.Record, DiskUsage.Measure(FilesOf(workspace.Record.Id)), Volatile.Read(ref workspace.Running));

    /// <summary>Writes the record next to the files, atomically (a crash leaves the old one or the new one).</summary>
    public async Task SaveAsync(WorkspaceRecord record, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Root, record.Id, RecordFile);
        var temporary = file + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(record, WorkspaceRecord.Json), cancellationToken);
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>The records on disk; an unreadable one is logged and its folder left alone.</summary>
    public async Task<List<WorkspaceRecord>> ReadRecordsAsync(CancellationToken cancellationToken)
    {
        var records = new List<WorkspaceRecord>();
        foreach (var folder in Directory.Exists(Root) ? Directory.EnumerateDirectories(Root) : [])
        {
            var file = Path.Combine(folder, RecordFile);
            if (!File.Exists(file))
            {
                continue;
            }

            try
            {
                var record = JsonSerializer.Deserialize<WorkspaceRecord>(await File.ReadAllTextAsync(file, cancellationToken), WorkspaceRecord.Json);
                if (record is not null && record.Id == Path.GetFileName(folder))
                {
                    records.Add(record);
                }
            }
            catch (JsonException ex)
            {
                UnreadableRecord(logger, ex, file);
            }
        }

        return records;
    }

    /// <summary>The names of the folders under the root (workspace ids, and whatever else is there).</summary>
    public IEnumerable<string> FolderNames() =>
        Directory.Exists(Root) ? Directory.EnumerateDirectories(Root).Select(f => Path.GetFileName(f)) : [];

    public void DeleteFolder(string id)
    {
        var folder = Path.Combine(Root, id);
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DeleteFailed(logger, ex, folder);
        }
    }

    /// <summary>12 hex characters: short enough for names and cgroup paths, random enough not to collide.</summary>
    public static string NewId() => "ws-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The workspace record {File} cannot be read; its folder is left alone")]
    private static partial void UnreadableRecord(ILogger logger, Exception exception, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the workspace folder {Folder}")]
    private static partial void DeleteFailed(ILogger logger, Exception exception, string folder);
}
