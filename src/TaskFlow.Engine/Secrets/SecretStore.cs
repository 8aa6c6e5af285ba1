using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace TaskFlow.Engine.Secrets;

/// <summary>
/// The secrets templates may read as <c>secrets.NAME</c>. They are resolved when an activity's
/// inputs are rendered and never stored: a definition holds the template, and what an activity
/// returns (its output, its error) is searched for every secret value before it is kept, each
/// occurrence replaced by <see cref="Mask"/>.
/// </summary>
public sealed partial class SecretStore(IOptionsMonitor<SecretOptions> options, TimeProvider? time = null)
{
    // Read at most once a second: every node's result is checked against the secrets, and the
    // folder's files should not be read for each.
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private volatile Snapshotted? _cached;

    /// <summary>What replaces a secret's value in anything kept.</summary>
    public const string Mask = "***";

    /// <summary>Values shorter than this are not masked: masking every "a" or "1" would garble outputs and hide nothing.</summary>
    public const int ShortestMasked = 4;

    /// <summary>Every secret now (at most a second old), by name: the configured values, overridden by the folder's files.</summary>
    public IReadOnlyDictionary<string, string> Current() => Snapshot().Secrets;

    /// <summary>The values of <see cref="Current"/> worth masking, longest first; empty when there are no secrets.</summary>
    public string[] CurrentMaskable() => Snapshot().Maskable;

    /// <summary>
    /// <paramref name="text"/> with every <c>{{ secrets.NAME }}</c> replaced by the secret's value
    /// (for settings such as an MCP server's headers and environment).
    /// </summary>
    /// <exception cref="InvalidOperationException">A named secret is not set; the message names it and <paramref name="where"/>.</exception>
    public string Expand(string text, string where)
    {
        if (!text.Contains("secrets", StringComparison.Ordinal))
        {
            return text;
        }

        var secrets = Current();
        return Reference().Replace(text, match => secrets.TryGetValue(match.Groups[1].Value, out var value)
            ? value
            : throw new InvalidOperationException($"{where} names secret '{match.Groups[1].Value}', which is not set: set TaskFlow:Secrets:Values:{match.Groups[1].Value} or put a file '{match.Groups[1].Value}' in TaskFlow:Secrets:Directory"));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{\{\s*secrets\.([A-Za-z0-9_\-]+)\s*\}\}")]
    private static partial System.Text.RegularExpressions.Regex Reference();

    /// <summary>The secrets as last read: every node reads them, so a fresh copy is taken without a lock; one reader refreshes a stale one.</summary>
    private Snapshotted Snapshot()
    {
        if (_cached is { } fresh && _time.GetElapsedTime(fresh.At) < Fresh)
        {
            return fresh;
        }

        lock (_lock)
        {
            if (_cached is { } cached && _time.GetElapsedTime(cached.At) < Fresh)
            {
                return cached;
            }

            var secrets = Read();
            var read = new Snapshotted(secrets, Maskable(secrets), _time.GetTimestamp());
            _cached = read;
            return read;
        }
    }

    private sealed record Snapshotted(IReadOnlyDictionary<string, string> Secrets, string[] Maskable, long At);

    private Dictionary<string, string> Read()
    {
        var current = options.CurrentValue;
        var all = new Dictionary<string, string>(current.Values, StringComparer.Ordinal);
        if (current.Directory is { Length: > 0 } folder && System.IO.Directory.Exists(folder))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(folder))
            {
                var name = Path.GetFileName(file);
                if (name.StartsWith('.'))
                {
                    continue;
                }

                try
                {
                    all[name] = File.ReadAllText(file).TrimEnd('\r', '\n');
                }
                catch (IOException)
                {
                    // A file being replaced (rotation) is read at the next use.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours to read: not a secret of this process.
                }
            }
        }

        return all;
    }

    /// <summary>The <c>secrets</c> object of a template scope.</summary>
    public static JsonObject ToScope(IReadOnlyDictionary<string, string> secrets)
    {
        var scope = new JsonObject();
        foreach (var (name, value) in secrets)
        {
            scope[name] = value;
        }

        return scope;
    }

    /// <summary>The values worth masking, longest first (so a value containing another is masked whole).</summary>
    public static string[] Maskable(IReadOnlyDictionary<string, string> secrets) =>
        [.. secrets.Values.Where(v => v.Length >= ShortestMasked).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length)];

    /// <summary>Replaces every occurrence of a secret value in <paramref name="text"/>.</summary>
    public static string? Redact(string? text, IReadOnlyList<string> values)
    {
        if (text is null || values.Count == 0)
        {
            return text;
        }

        foreach (var value in values)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>A copy of <paramref name="node"/> with every secret value replaced in its strings and property names; the same node when none occurs.</summary>
    public static JsonNode? Redact(JsonNode? node, IReadOnlyList<string> values)
    {
        if (node is null || values.Count == 0)
        {
            return node;
        }

        var text = node.ToJsonString();
        return values.Any(v => text.Contains(JsonEncodedFragment(v), StringComparison.Ordinal) || text.Contains(v, StringComparison.Ordinal))
            ? Walk(node, values)
            : node;
    }

    private static string JsonEncodedFragment(string value) => System.Text.Json.JsonSerializer.Serialize(value)[1..^1];

    private static JsonNode? Walk(JsonNode? node, IReadOnlyList<string> values) => node switch
    {
        null => null,
        JsonObject o => WalkObject(o, values),
        JsonArray a => new JsonArray([.. a.Select(i => Walk(i, values))]),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Redact(s, values)),
        _ => node.DeepClone(),
    };

    private static JsonObject WalkObject(JsonObject source, IReadOnlyList<string> values)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in source)
        {
            // Two names that differ only in a secret would collide once masked: the last one stays.
            copy[Redact(key, values)!] = Walk(value, values);
        }

        return copy;
    }
}
