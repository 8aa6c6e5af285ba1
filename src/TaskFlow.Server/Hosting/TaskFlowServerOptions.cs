using System.ComponentModel.DataAnnotations;

namespace TaskFlow.Server.Hosting;

/// <summary>Server settings, bound from the <c>TaskFlow:Server</c> configuration section.</summary>
public sealed class TaskFlowServerOptions
{
    public const string SectionName = "TaskFlow:Server";

    /// <summary>Used when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c> is given. Loopback only by default.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>
    /// Accepted API keys. When empty, a key is generated on the first start into the data
    /// folder's <c>api-key</c> file (mode 600) and read from there on later starts.
    /// </summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>
    /// Named keys with a role (admin, operator, viewer, metrics), each given by its SHA-256 or
    /// itself (see <see cref="Auth.ApiKeyOptions"/>). Keys of <see cref="ApiKeys"/> are admin keys.
    /// </summary>
    public List<Auth.ApiKeyOptions> Keys { get; set; } = [];

    /// <summary>
    /// A JSON file of named keys (as <see cref="Keys"/>, by SHA-256), read again when it changes:
    /// keys added or revoked there (<c>taskflow keys add|revoke</c>) apply without a restart.
    /// </summary>
    public string? KeysFile { get; set; }

    /// <summary>Whether keys are configured at all (otherwise the server uses its generated key).</summary>
    internal bool HasKeys => ApiKeys.Count > 0 || Keys.Count > 0 || !string.IsNullOrWhiteSpace(KeysFile);

    /// <summary>The key ring of these settings; null when none are configured.</summary>
    internal Auth.ApiKeyRing? CreateKeyRing() =>
        HasKeys
            ? new Auth.ApiKeyRing(
                [.. ApiKeys.Select((k, i) => new Auth.ApiKey($"ApiKeys:{i}", Auth.ApiRole.Admin, Auth.ApiKeyRing.Hash(k.Trim()))),
                 .. Keys.Select((k, i) => Auth.ApiKeyRing.Parse(k, $"TaskFlow:Server:Keys:{i}"))],
                string.IsNullOrWhiteSpace(KeysFile) ? null : KeysFile)
            : null;

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBodySize { get; set; } = 1 << 20;

    /// <summary>Longest a <c>run?wait=true</c> request may wait.</summary>
    public TimeSpan MaxRunWait { get; set; } = TimeSpan.FromMinutes(5);

    internal IEnumerable<string> Problems()
    {
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            // Short keys can be guessed; the generated ones have 256 bits.
            if (string.IsNullOrWhiteSpace(ApiKeys[i]) || ApiKeys[i].Trim().Length < 16)
            {
                yield return $"TaskFlow:Server:ApiKeys:{i} is shorter than 16 characters; use a long random key (e.g. `openssl rand -hex 32`).";
            }
        }

        for (var i = 0; i < Keys.Count; i++)
        {
            string? problem = null;
            try
            {
                Auth.ApiKeyRing.Parse(Keys[i], $"TaskFlow:Server:Keys:{i}");
            }
            catch (FormatException ex)
            {
                problem = ex.Message;
            }

            if (problem is not null)
            {
                yield return problem;
            }
        }

        if (Keys.GroupBy(k => k.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            yield return $"TaskFlow:Server:Keys: two keys are named '{twice.Key}'.";
        }

        if (MaxRunWait <= TimeSpan.Zero)
        {
            yield return "TaskFlow:Server:MaxRunWait must be positive.";
        }
    }
}
