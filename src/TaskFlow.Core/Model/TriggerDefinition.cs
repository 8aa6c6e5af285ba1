using System.Text.Json.Nodes;

namespace TaskFlow.Core.Model;

/// <summary>How instances of a definition get started.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed class TriggerDefinition
{
    /// <summary><c>manual</c>, <c>cron</c> or <c>http</c>; validation refuses <c>hook</c>, which nothing serves.</summary>
    public string Type { get; set; } = "manual";

    /// <summary>Cron expression (five or six fields) for <c>cron</c> triggers.</summary>
    public string? Cron { get; set; }

    /// <summary>IANA time zone for <c>cron</c> triggers; UTC when omitted.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Route for <c>http</c> triggers, served under <c>/workflows/</c>, e.g. <c>orders/{id}</c>.</summary>
    public string? Path { get; set; }

    /// <summary>HTTP methods an <c>http</c> trigger answers; <c>POST</c> when omitted.</summary>
    public List<string>? Methods { get; set; }

    /// <summary>
    /// How an <c>http</c> trigger's caller is authorized: <c>apiKey</c> (the default, as the rest of
    /// the API, operator role), <c>none</c>, or <c>hmac</c> (an HMAC-SHA256 signature of the body
    /// with the secret named by <see cref="Secret"/>).
    /// </summary>
    public string? Auth { get; set; }

    /// <summary>
    /// For <c>"auth": "hmac"</c>: the name of the shared secret in the server's configuration
    /// (<c>TaskFlow:HttpTriggers:Secrets:NAME</c>); the secret itself is never in the definition.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>For <c>"auth": "hmac"</c>: the header carrying <c>sha256=HEX</c>; <c>X-Hub-Signature-256</c> when omitted.</summary>
    public string? SignatureHeader { get; set; }

    /// <summary>
    /// For <c>http</c> triggers with <c>"auth": "hmac"</c> or <c>"none"</c>: who the caller is, as the
    /// audit trail records it (e.g. <c>github</c>); <c>signed:PATH</c> and <c>anonymous</c> when
    /// omitted. A caller with an API key is recorded by the key's name.
    /// </summary>
    public string? Identity { get; set; }

    /// <summary>For <c>http</c> triggers: how long the caller waits for the workflow's output (e.g. <c>30s</c>); 202 at once when omitted.</summary>
    public string? Wait { get; set; }

    /// <summary>Hook event name for <c>hook</c> triggers, e.g. <c>PreToolUse</c>.</summary>
    public string? Event { get; set; }

    /// <summary>Input given to instances this trigger starts.</summary>
    public JsonObject? Input { get; set; }
}
