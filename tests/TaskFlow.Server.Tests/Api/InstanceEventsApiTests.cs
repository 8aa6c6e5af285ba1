using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class InstanceEventsApiTests
{
    //  slow(sleep 1.5s) ──> after(noop)
    private const string Slow = """
        { "id": "slow", "nodes": [ { "id": "slow", "type": "sleep", "inputs": { "duration": "1500ms" } }, { "id": "after", "type": "noop" } ],
          "edges": [ { "from": "slow", "to": "after" } ] }
        """;

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Events_RunningInstance_StreamsJournalLiveUntilEnd(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Slow);
        var id = await StartAsync(app);
        var before = await app.GetAsync<JsonObject>($"/api/instances/{id}");

        var events = await ReadStreamAsync(app, id, lastEventId: null);

        Assert.Equal("Running", (string?)before["status"]);
        Assert.Equal("end", events[^1].Type);
        Assert.Contains("\"Succeeded\"", events[^1].Data);
        var journal = events.Where(e => e.Id is not null).ToArray();
        Assert.Equal("InstanceStarted", journal[0].Type);
        Assert.Equal("InstanceSucceeded", journal[^1].Type);
        Assert.Contains(journal, e => e.Type == "NodeStarted" && e.Data.Contains("\"slow\"", StringComparison.Ordinal));
        Assert.Contains(journal, e => e.Type == "NodeSucceeded" && e.Data.Contains("\"after\"", StringComparison.Ordinal));
        Assert.Equal(journal.Select(e => e.Id!.Value).Order(), journal.Select(e => e.Id!.Value));
        Assert.Equal(journal.Length, journal.Select(e => e.Id).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Events_ResumeWithLastEventId_SendsOnlyLaterEvents(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Slow);
        var id = await StartAsync(app);
        var all = (await ReadStreamAsync(app, id, lastEventId: null)).Where(e => e.Id is not null).ToArray();
        var resumeAfter = all[2].Id!.Value;

        var resumed = await ReadStreamAsync(app, id, lastEventId: resumeAfter.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var ids = resumed.Where(e => e.Id is not null).Select(e => e.Id!.Value).ToArray();
        Assert.Equal(all.Skip(3).Select(e => e.Id!.Value), ids);
        Assert.Equal("end", resumed[^1].Type);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Events_UnknownInstanceOrBadLastEventId_ReturnsProblem(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Slow);
        var id = await StartAsync(app);

        using var unknown = await app.Client.GetAsync("/api/instances/no-such-instance/events");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/instances/{id}/events");
        request.Headers.Add("Last-Event-ID", "yesterday");
        using var bad = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no-such-instance", (string?)(await TaskFlowApp.ReadAsync(unknown))["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("yesterday", (string?)(await TaskFlowApp.ReadAsync(bad))["detail"]);
    }

    private static async Task<string> StartAsync(TaskFlowApp app)
    {
        using var response = await app.Client.PostAsync("/api/definitions/slow/run", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await TaskFlowApp.ReadAsync(response);
        return (string?)body["instanceId"] ?? (string?)body["id"] ?? throw new Xunit.Sdk.XunitException($"No instance id in {body}");
    }

    private static async Task<List<SseEvent>> ReadStreamAsync(TaskFlowApp app, string id, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/instances/{id}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await app.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<SseEvent>();
        long? eventId = null;
        string? type = null;
        var data = "";
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (type is not null)
                {
                    events.Add(new SseEvent(eventId, type, data));
                    if (type == "end")
                    {
                        return events;
                    }
                }

                (eventId, type, data) = (null, null, "");
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                eventId = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data += line[6..];
            }
        }

        throw new Xunit.Sdk.XunitException($"The stream closed without an end event after {events.Count} events.");
    }

    private sealed record SseEvent(long? Id, string Type, string Data);
}
