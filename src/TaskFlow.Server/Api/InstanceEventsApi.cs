using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Server.Api;

/// <summary>
/// <c>GET /api/instances/{id}/events</c>: the instance's journal as Server-Sent Events, for live
/// views. Each event carries its journal id as the SSE id, so a client that reconnects with
/// <c>Last-Event-ID</c> (browsers do this by themselves) continues after the last event it saw.
/// The stream ends with an <c>end</c> event once the instance has finished and every event is sent.
/// </summary>
internal static class InstanceEventsApi
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    public static void MapInstanceEventsApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/instances/{id}/events", StreamAsync)
            .WithTags("Instances")
            .WithSummary("Live journal events of an instance as Server-Sent Events; resumable with Last-Event-ID.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> StreamAsync(string id, long? after, HttpContext http, WorkflowRuntime runtime, IOptions<JsonOptions> json, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await runtime.GetStatusAsync(id, cancellationToken) is null)
        {
            return ApiProblems.InstanceNotFound(id);
        }

        var lastSeen = after ?? 0;
        if (http.Request.Headers["Last-Event-ID"].FirstOrDefault() is { } header)
        {
            if (!long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out lastSeen))
            {
                return ApiProblems.BadRequest("Invalid Last-Event-ID.", $"Last-Event-ID '{header}' is not an event id (a non-negative integer).", [$"Last-Event-ID '{header}' is not an event id."]);
            }
        }

        return new EventStream(id, lastSeen, runtime, json.Value.SerializerOptions, time);
    }

    private sealed class EventStream(string id, long after, WorkflowRuntime runtime, JsonSerializerOptions json, TimeProvider time) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var cancellationToken = http.RequestAborted;
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            var lastWrite = time.GetUtcNow();
            var lastSeen = after;
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    // Read the status before the events: if it says finished, the events read
                    // next include the last one, so nothing is lost between the two reads.
                    var status = await runtime.GetStatusAsync(id, cancellationToken);
                    var events = await runtime.GetJournalAsync(id, lastSeen, cancellationToken);
                    foreach (var e in events)
                    {
                        await WriteAsync(http, $"id: {e.Id}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(e, json)}\n\n", cancellationToken);
                        lastSeen = e.Id;
                    }

                    if (status is null or not InstanceStatus.Running)
                    {
                        await WriteAsync(http, $"event: end\ndata: {JsonSerializer.Serialize(new { instanceId = id, status }, json)}\n\n", cancellationToken);
                        return;
                    }

                    if (events.Count > 0)
                    {
                        lastWrite = time.GetUtcNow();
                    }
                    else if (time.GetUtcNow() - lastWrite >= KeepAliveInterval)
                    {
                        // A comment line keeps proxies and load balancers from closing an idle stream.
                        await WriteAsync(http, ": keep-alive\n\n", cancellationToken);
                        lastWrite = time.GetUtcNow();
                    }

                    await Task.Delay(PollInterval, time, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The client went away; it can resume with Last-Event-ID.
            }
        }

        private static async Task WriteAsync(HttpContext http, string text, CancellationToken cancellationToken)
        {
            await http.Response.WriteAsync(text, cancellationToken);
            await http.Response.Body.FlushAsync(cancellationToken);
        }
    }
}
