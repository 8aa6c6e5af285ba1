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

        if (MaxRunWait <= TimeSpan.Zero)
        {
            yield return "TaskFlow:Server:MaxRunWait must be positive.";
        }
    }
}
