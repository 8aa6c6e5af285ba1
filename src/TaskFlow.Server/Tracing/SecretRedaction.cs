using System.Diagnostics;
using OpenTelemetry;
using TaskFlow.Engine.Secrets;

namespace TaskFlow.Server.Tracing;

/// <summary>
/// Replaces every secret value (see <see cref="SecretStore"/>) in a finished span's name, status
/// and string attributes with <c>***</c>, before any exporter sees it: a secret templated into an
/// HTTP request's URL, or quoted in an upstream's error, does not leave the process in a trace.
/// </summary>
internal sealed class SecretRedaction(SecretStore secrets) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        var masked = secrets.CurrentMaskable();
        if (masked.Length == 0)
        {
            return;
        }

        if (Contains(data.DisplayName, masked))
        {
            data.DisplayName = SecretStore.Redact(data.DisplayName, masked)!;
        }

        if (Contains(data.StatusDescription, masked))
        {
            data.SetStatus(data.Status, SecretStore.Redact(data.StatusDescription, masked));
        }

        List<KeyValuePair<string, string?>>? changed = null;
        foreach (var tag in data.TagObjects)
        {
            if (tag.Value is string text && Contains(text, masked))
            {
                (changed ??= []).Add(new(tag.Key, SecretStore.Redact(text, masked)));
            }
        }

        foreach (var (key, value) in changed ?? [])
        {
            data.SetTag(key, value);
        }
    }

    private static bool Contains(string? text, string[] masked)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var value in masked)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
