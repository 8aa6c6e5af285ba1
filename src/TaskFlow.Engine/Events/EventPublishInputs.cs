using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;

namespace TaskFlow.Engine.Events;

/// <summary>The inputs of <c>event.publish</c>; every string may be a template.</summary>
public sealed class EventPublishInputs
{
    [Required]
    [Description("The event's name, e.g. order-paid: the name event nodes wait for.")]
    public string Name { get; set; } = "";

    [Description("The correlation it carries: it resumes nodes waiting with this correlation, and those waiting with none.")]
    public string? Correlation { get; set; }

    [Description("Only nodes of this instance, e.g. {{ instance.id }} for this workflow's own.")]
    public string? InstanceId { get; set; }

    [Description("The payload: the output of every node it resumes.")]
    public JsonNode? Payload { get; set; }
}
