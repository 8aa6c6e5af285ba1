using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Hooks;

/// <summary>
/// Plans on disk, one JSON file per book (a Claude Code session, or a claude-flow task id), with no
/// server and no database. Claude Code runs the hooks of parallel Task calls at the same time, so
/// every change holds an exclusive lock file for the read-modify-write, and every write goes to a
/// temporary file that is renamed over the old one: a reader sees the old or the new file, never
/// half of one, and a crash mid-write leaves the old file in place.
/// </summary>
internal sealed class HookPlanStore
{
    /// <summary>The folder named by this variable wins over the default under the working folder.</summary>
    public const string DirectoryVariable = "TASKFLOW_HOOKS_DIR";

    private readonly TimeSpan _lockTimeout;

    public HookPlanStore(string directory, TimeSpan? lockTimeout = null)
    {
        Directory = Path.GetFullPath(directory);
        _lockTimeout = lockTimeout ?? TimeSpan.FromSeconds(10);
    }

    public string Directory { get; }

    /// <summary>TASKFLOW_HOOKS_DIR, else <c>.taskflow/hooks</c> under <paramref name="workingDirectory"/>.</summary>
    public static HookPlanStore For(string? workingDirectory)
    {
        var configured = Environment.GetEnvironmentVariable(DirectoryVariable);
        return new HookPlanStore(!string.IsNullOrWhiteSpace(configured)
            ? configured
            : Path.Combine(string.IsNullOrWhiteSpace(workingDirectory) ? Environment.CurrentDirectory : workingDirectory, ".taskflow", "hooks"));
    }

    /// <summary>The file of a book: its key when that is a safe file name, else a hash of it.</summary>
    public string PathOf(string key)
    {
        var safe = key.Length is > 0 and <= 100 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && key[0] != '.'
            ? key
            : Hashed(key);
        return Path.Combine(Directory, safe + ".json");
    }

    // Apart, so that the crypto library is loaded only for a key that needs hashing (session ids do not).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string Hashed(string key) => "k-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];

    /// <summary>
    /// Reads a book without locking (writes are atomic renames); null when there is none, or when
    /// it cannot be read (the next <see cref="UpdateAsync{T}"/> keeps that file aside).
    /// </summary>
    public HookBook? Read(string key)
    {
        var path = PathOf(key);
        try
        {
            return File.Exists(path) ? HookBook.FromJson(JsonNode.Parse(File.ReadAllBytes(path))) : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    public bool Exists(string key) => File.Exists(PathOf(key));

    /// <summary>
    /// Runs <paramref name="change"/> on the book under its lock and writes the book back when it
    /// returns <c>changed</c>. A file that cannot be read is kept beside it (<c>.corrupt-TIME</c>) and
    /// the change starts from an empty book, so no stored plan is ever overwritten.
    /// </summary>
    public async Task<T> UpdateAsync<T>(string key, Func<HookBook, (T Value, bool Changed)> change, Action<string>? note = null, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(key);
        await using var lockFile = await AcquireAsync(path + ".lock", cancellationToken).ConfigureAwait(false);
        var book = new HookBook();
        if (File.Exists(path))
        {
            try
            {
                book = HookBook.FromJson(JsonNode.Parse(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)));
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
            {
                var aside = $"{path}.corrupt-{DateTime.UtcNow:yyyyMMddHHmmssfff}";
                File.Move(path, aside);
                note?.Invoke($"taskflow: the plan file {path} could not be read ({ex.Message}); it was kept as {aside} and a new one started.");
            }
        }

        var (value, changed) = change(book);
        if (changed)
        {
            book.Revision++;
            var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            try
            {
                await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
                {
                    await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
                    book.ToJson().WriteTo(writer);
                }

                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
        }

        return value;
    }

    /// <summary>
    /// Runs <paramref name="work"/> holding the lock named <paramref name="purpose"/> for
    /// <paramref name="key"/> (a lock of its own, beside the book's, so that slow work does not
    /// hold up the book); false, without running it, when the lock is not had within
    /// <paramref name="wait"/>.
    /// </summary>
    public async Task<bool> TryWithLockAsync(string key, string purpose, TimeSpan wait, Func<Task> work, CancellationToken cancellationToken = default)
    {
        System.IO.Directory.CreateDirectory(Directory);
        FileStream held;
        try
        {
            held = await AcquireAsync($"{PathOf(key)}.{purpose}.lock", cancellationToken, wait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }

        await using (held)
        {
            await work().ConfigureAwait(false);
        }

        return true;
    }

    // FileShare.None is an exclusive advisory lock (flock) on Unix and a sharing lock on Windows:
    // either way a second process cannot open the file until the first closes it. The lock file
    // itself is never deleted, since deleting it would let two processes lock two different files.
    private async Task<FileStream> AcquireAsync(string lockPath, CancellationToken cancellationToken, TimeSpan? wait = null)
    {
        var deadline = DateTime.UtcNow + (wait ?? _lockTimeout);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(Random.Shared.Next(2, 5 + Math.Min(attempt, 20)), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new TimeoutException($"The plan file lock {lockPath} was held by another process for more than {(wait ?? _lockTimeout).TotalSeconds:0} s; nothing was changed. Delete the lock file only if no taskflow hook is running.", ex);
            }
        }
    }
}
