using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using TaskFlow.Core.Events;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Events;

/// <summary>
/// Delivers an event, whoever sends it (<c>POST /api/events/{name}</c> or an <c>event.publish</c>
/// node): every matching waiting node is resumed exactly once with the payload; an event that
/// matches nothing is kept when a published definition takes earlier events of its name, for the
/// longest such window, and dropped otherwise.
/// </summary>
public sealed partial class EventPublisher(EngineStore store, WorkflowRuntime runtime, ILogger<EventPublisher> logger)
{
    public async Task<PublishedEvent> PublishAsync(string name, string? correlation, string? instanceId, JsonNode? payload, CancellationToken cancellationToken = default)
    {
        var resumed = await store.DeliverEventAsync(name, correlation, instanceId, payload, cancellationToken);
        if (resumed.Count > 0)
        {
            Delivered(logger, name, correlation, resumed.Count);
            return new PublishedEvent(name, resumed, null);
        }

        var published = await runtime.ListPublishedDefinitionsAsync(cancellationToken);
        if (EventRetention.KeepFor(name, published.Select(d => d.Definition)) is not { } keepFor)
        {
            Dropped(logger, name, correlation);
            return new PublishedEvent(name, [], null);
        }

        var keptUntil = await store.KeepEventAsync(name, correlation, instanceId, payload, keepFor, cancellationToken);
        Kept(logger, name, correlation, keptUntil);
        return new PublishedEvent(name, [], keptUntil);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {Name} (correlation {Correlation}) resumed {Count} waiting node(s)")]
    private static partial void Delivered(ILogger logger, string name, string? correlation, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {Name} (correlation {Correlation}) matched no waiting node; kept until {KeptUntil}")]
    private static partial void Kept(ILogger logger, string name, string? correlation, DateTimeOffset keptUntil);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {Name} (correlation {Correlation}) matched no waiting node and was dropped")]
    private static partial void Dropped(ILogger logger, string name, string? correlation);
}
