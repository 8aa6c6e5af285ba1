using System.ComponentModel.DataAnnotations;

namespace TaskFlow.Server.HttpTriggers;

/// <summary>Settings of the <c>http</c> triggers served at <c>/workflows/...</c>, bound from <c>TaskFlow:HttpTriggers</c>.</summary>
public sealed class HttpTriggerOptions
{
    public const string SectionName = "TaskFlow:HttpTriggers";

    /// <summary>
    /// Shared secrets of <c>"auth": "hmac"</c> triggers, by the name a trigger's <c>secret</c>
    /// gives. Kept in configuration (an environment variable, a secrets store) rather than in the
    /// definition, which every viewer key can read.
    /// </summary>
    public Dictionary<string, string> Secrets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Largest request body a trigger accepts; larger ones get 413 and start nothing.</summary>
    [Range(0, 1L << 30)]
    public long MaxBodySize { get; set; } = 1 << 20;

    /// <summary>
    /// How often this server checks the database for definitions published or deleted by other
    /// servers (a cheap query of ids and versions); its own changes apply at once.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the caller of a workflow with an <c>http.respond</c> node waits for it when the trigger sets no <c>wait</c>.</summary>
    public TimeSpan RespondTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
