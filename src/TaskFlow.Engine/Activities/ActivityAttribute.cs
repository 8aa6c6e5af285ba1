namespace TaskFlow.Engine.Activities;

/// <summary>Names an activity type and places it in the catalog.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityAttribute(string type) : Attribute
{
    public string Type { get; } = type;

    public string Category { get; init; } = "General";

    public string Description { get; init; } = "";

    /// <summary>Outcome ports besides <c>done</c>, comma separated.</summary>
    public string? Outcomes { get; init; }

    /// <summary>
    /// The activity touches nothing outside its instance (no I/O, no clock-dependent effects): its
    /// result depends only on its rendered inputs. A pure step may run inside the commit that made it
    /// due, without a checkpoint of its own (docs/engine.md, "Pure steps run inline").
    /// </summary>
    public bool Pure { get; init; }
}
