using System.Diagnostics;

namespace TaskFlow.Chaos.Harness;

/// <summary>
/// A small tmpfs mounted on a fresh folder (needs root), that <see cref="FillAsync"/> fills up and
/// <see cref="Free"/> frees again. Disposing unmounts it and removes the folder.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly string _filler;

    private SmallDisk(string folder)
    {
        Folder = folder;
        _filler = Path.Combine(folder, "filler");
    }

    public string Folder { get; }

    public static SmallDisk Mount(int megabytes)
    {
        var folder = Path.Combine(Path.GetTempPath(), "taskflow-chaos-disk-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var (exit, error) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", folder);
        if (exit != 0)
        {
            Directory.Delete(folder);
            throw new InvalidOperationException($"mount -t tmpfs was refused (exit {exit}: {error.Trim()}); the disk-full scenario needs root and permission to mount.");
        }

        return new SmallDisk(folder);
    }

    /// <summary>Writes a file until the disk is full; returns how many bytes it took.</summary>
    public async Task<long> FillAsync()
    {
        var chunk = new byte[64 * 1024];
        long written = 0;
        await using var file = new FileStream(_filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true)
            {
                await file.WriteAsync(chunk);
                await file.FlushAsync();
                written += chunk.Length;
            }
        }
        catch (IOException)
        {
            // No space left on device: exactly what was wanted. Top it up to the last byte.
            for (var size = 32 * 1024; size >= 1; size /= 2)
            {
                try
                {
                    await file.WriteAsync(chunk.AsMemory(0, size));
                    await file.FlushAsync();
                    written += size;
                }
                catch (IOException)
                {
                }
            }
        }

        return written;
    }

    public void Free() => File.Delete(_filler);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Run("umount", Folder);
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static (int Exit, string Error) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
