using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;

namespace TaskFlow.Engine.Http;

/// <summary>The inputs of <c>http.request</c>; every string may be a template.</summary>
public sealed class HttpRequestInputs
{
    [Description("GET (the default), POST, PUT, PATCH, DELETE, HEAD or OPTIONS.")]
    public string Method { get; set; } = "GET";

    [Required]
    [Description("An absolute http or https URL.")]
    public string Url { get; set; } = "";

    [Description("Request headers, name to value.")]
    public JsonObject? Headers { get; set; }

    [Description("Query parameters added to the URL, name to value (a list repeats the name).")]
    public JsonObject? Query { get; set; }

    [Description("The body: a string is sent as text, anything else as JSON.")]
    public JsonNode? Body { get; set; }

    [Description("The body's content type; text/plain for a string, application/json otherwise.")]
    public string? ContentType { get; set; }

    [Description("For the whole request, retries included, e.g. 10s; TaskFlow:Http:DefaultTimeout (30s) when omitted.")]
    public string? Timeout { get; set; }

    [Description("Status codes that count as success; any 2xx when omitted.")]
    public List<int>? ExpectStatus { get; set; }

    [Description("Largest response body read, in bytes; TaskFlow:Http:MaxResponseBytes (1 MiB) when omitted.")]
    public long? MaxResponseBytes { get; set; }

    [Description("Retry transient failures even for a method that is not idempotent (POST, PATCH); by default only idempotent methods are retried.")]
    public bool Retry { get; set; }
}
