using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TaskFlow.Server.Auth;

/// <summary>
/// The accepted API keys, kept only as SHA-256 hashes: a heap dump or a debugger shows no usable
/// key. A presented key is hashed and compared with every stored hash in constant time.
/// </summary>
/// <remarks>
/// Keys come from configuration (fixed for the process) and, optionally, from a keys file, read
/// again when it changes (checked at most once a second), so keys are added and revoked without a
/// restart. A keys file that cannot be read or holds a bad entry keeps the keys it held before, and
/// the problem is reported by <see cref="FileProblem"/> (and logged by the server).
/// </remarks>
public sealed class ApiKeyRing
{
    private readonly ApiKey[] _fixed;
    private readonly string? _file;
    private readonly Lock _lock = new();
    private ApiKey[] _fromFile = [];
    private DateTime _fileWrittenAt;
    private long _checkedAt;
    private string? _fileProblem;

    /// <summary>Plain keys, each with every right (the <c>TaskFlow:Server:ApiKeys</c> form).</summary>
    public ApiKeyRing(IEnumerable<string> keys)
        : this(keys.Select((k, i) => new ApiKey($"ApiKeys:{i}", ApiRole.Admin, Hash(k.Trim()))), null)
    {
    }

    /// <param name="keys">Keys from configuration.</param>
    /// <param name="file">A keys file (a JSON array of <see cref="ApiKeyOptions"/> with <c>sha256</c>) to read now and whenever it changes.</param>
    public ApiKeyRing(IEnumerable<ApiKey> keys, string? file)
    {
        _fixed = [.. keys];
        _file = file is null ? null : Path.GetFullPath(file);
        Reload();
        if (_fixed.Length == 0 && _file is null)
        {
            throw new ArgumentException("At least one API key is required.", nameof(keys));
        }
    }

    /// <summary>Why the keys file was not read the last time it changed; null when it was (or there is none).</summary>
    public string? FileProblem
    {
        get
        {
            RefreshIfDue();
            return _fileProblem;
        }
    }

    /// <summary>Every key known now, for listing (names and roles; hashes never leave).</summary>
    public IReadOnlyList<ApiKey> Keys
    {
        get
        {
            RefreshIfDue();
            return [.. _fixed, .. _fromFile];
        }
    }

    public bool Accepts(string presented) => Find(presented) is not null;

    /// <summary>The key <paramref name="presented"/> is, or null.</summary>
    public ApiKey? Find(string presented)
    {
        RefreshIfDue();
        var hash = Hash(presented);
        ApiKey? match = null;

        // No early exit: the time taken does not tell which key, or whether any, matched.
        foreach (var candidate in (ApiKey[])[.. _fixed, .. _fromFile])
        {
            if (CryptographicOperations.FixedTimeEquals(hash, candidate.Hash))
            {
                match ??= candidate;
            }
        }

        return match;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Reads keys from configuration entries, naming the first problem (a missing name or role, a short key, a bad hash).</summary>
    public static ApiKey Parse(ApiKeyOptions entry, string where)
    {
        if (string.IsNullOrWhiteSpace(entry.Name))
        {
            throw new FormatException($"{where}: a key needs a name (it identifies the caller in messages and the audit).");
        }

        if (!Enum.TryParse<ApiRole>(entry.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role) || int.TryParse(entry.Role, out _))
        {
            throw new FormatException($"{where} ('{entry.Name}'): role '{entry.Role}' is not one of admin, operator, viewer, metrics.");
        }

        if (entry.Sha256 is { Length: > 0 } hex)
        {
            if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
            {
                throw new FormatException($"{where} ('{entry.Name}'): sha256 must be 64 hex digits (the SHA-256 of the key).");
            }

            return new ApiKey(entry.Name, role, Convert.FromHexString(hex));
        }

        if (entry.Key is { } key && key.Trim().Length >= 16)
        {
            return new ApiKey(entry.Name, role, Hash(key.Trim()));
        }

        throw new FormatException($"{where} ('{entry.Name}'): give sha256 (the key's SHA-256 in hex) or key (at least 16 characters).");
    }

    /// <summary>Reads a keys file: a JSON array of entries with name, role and sha256.</summary>
    public static List<ApiKeyOptions> ReadFile(string path) =>
        JsonSerializer.Deserialize<List<ApiKeyOptions>>(File.ReadAllText(path), FileJson) ?? [];

    /// <summary>Writes a keys file atomically (a new file renamed over the old one), readable by its owner only.</summary>
    public static void WriteFile(string path, IReadOnlyList<ApiKeyOptions> entries)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".new";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, entries.Select(e => new ApiKeyOptions { Name = e.Name, Role = e.Role, Sha256 = e.Sha256 }).ToList(), FileJson);
        }

        File.Move(temporary, full, overwrite: true);
    }

    internal static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private void RefreshIfDue()
    {
        if (_file is null)
        {
            return;
        }

        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _checkedAt) < 1000)
        {
            return;
        }

        Volatile.Write(ref _checkedAt, now);
        Reload();
    }

    private void Reload()
    {
        if (_file is null)
        {
            return;
        }

        lock (_lock)
        {
            var written = File.Exists(_file) ? File.GetLastWriteTimeUtc(_file) : DateTime.MinValue;
            if (written == _fileWrittenAt && _checkedAt != 0)
            {
                return;
            }

            _fileWrittenAt = written;
            if (written == DateTime.MinValue)
            {
                // No file (yet, or any more): no keys from it.
                _fromFile = [];
                _fileProblem = null;
                return;
            }

            try
            {
                var entries = ReadFile(_file);
                var keys = entries.Select((e, i) => Parse(e, $"{_file} [{i}]")).ToArray();
                var duplicate = keys.GroupBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
                if (duplicate is not null)
                {
                    throw new FormatException($"{_file}: two keys are named '{duplicate.Key}'.");
                }

                _fromFile = keys;
                _fileProblem = null;
            }
            catch (Exception ex) when (ex is IOException or JsonException or FormatException or UnauthorizedAccessException)
            {
                _fileProblem = $"The keys file {_file} was not read ({ex.Message}); the keys it held before stay in use.";
            }
        }
    }
}
