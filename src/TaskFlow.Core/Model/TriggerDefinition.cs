using System.Text.Json.Nodes;

namespace TaskFlow.Core.Model;

/// <summary>How instances of a definition get started.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed class TriggerDefinition
{
    /// <summary><c>manual</c> or <c>cron</c>; validation refuses <c>http</c> and <c>hook</c>, which nothing serves.</summary>
    public string Type { get; set; } = "manual";

    /// <summary>Cron expression (five or six fields) for <c>cron</c> triggers.</summary>
    public string? Cron { get; set; }

    /// <summary>IANA time zone for <c>cron</c> triggers; UTC when omitted.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Route suffix for <c>http</c> triggers.</summary>
    public string? Path { get; set; }

    /// <summary>Hook event name for <c>hook</c> triggers, e.g. <c>PreToolUse</c>.</summary>
    public string? Event { get; set; }

    /// <summary>Input given to instances this trigger starts.</summary>
    public JsonObject? Input { get; set; }
}
