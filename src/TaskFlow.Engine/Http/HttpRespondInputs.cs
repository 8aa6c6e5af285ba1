using System.ComponentModel;
using System.Text.Json.Nodes;

namespace TaskFlow.Engine.Http;

/// <summary>The inputs of <c>http.respond</c>; every string may be a template.</summary>
public sealed class HttpRespondInputs
{
    [Description("The status code, 100 to 599; 200 when omitted.")]
    public int Status { get; set; } = 200;

    [Description("Response headers, name to value.")]
    public JsonObject? Headers { get; set; }

    [Description("The body: a string is sent as text, anything else as JSON; no body when omitted.")]
    public JsonNode? Body { get; set; }

    [Description("The body's content type; text/plain for a string, application/json otherwise.")]
    public string? ContentType { get; set; }
}
