using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Bench.HttpTriggers;

/// <summary>
/// Event delivery, waiting node to resumed node: instances park on an <c>event</c> node (each with its
/// own correlation); then, one at a time, <c>POST /api/events/go</c> is sent for one of them and the
/// time is taken until the server has answered (the event taken and the resume queued, durably) and
/// until the waiting node has succeeded (the journal's time, from the same clock).
/// </summary>
internal sealed record EventDeliveryRun(double AnsweredP50Ms, double AnsweredP99Ms, double ResumedP50Ms, double ResumedP99Ms, int Errors)
{
    //  wait(event go, correlation input.k) ──> after
    public const string Definition = """
        { "id": "bench-event",
          "nodes": [ { "id": "wait", "type": "event", "inputs": { "name": "go", "correlation": "{{ input.k }}" } }, { "id": "after", "type": "noop" } ],
          "edges": [ { "from": "wait", "to": "after" } ] }
        """;

    public static async Task<EventDeliveryRun> RunAsync(WorkflowSide side, int events, int warmup)
    {
        var runtime = side.Services.GetRequiredService<WorkflowRuntime>();
        var store = side.Services.GetRequiredService<EngineStore>();
        await runtime.SaveDefinitionAsync(Definition);
        var total = warmup + events;
        var instances = new string[total];
        for (var i = 0; i < total; i++)
        {
            instances[i] = await runtime.StartAsync("bench-event", new JsonObject { ["k"] = $"k-{i}" });
        }

        // Every instance parked on its event node before the first event is sent.
        while ((await store.ListWaitsAsync(null, "go", total)).Count < total)
        {
            await Task.Delay(50);
        }

        var answered = new List<double>();
        var resumed = new List<double>();
        var errors = 0;
        for (var i = 0; i < total; i++)
        {
            var sent = DateTimeOffset.UtcNow;
            var start = Stopwatch.GetTimestamp();
            using var response = await side.Client.PostAsync("/api/events/go", new StringContent($$"""{ "correlation": "k-{{i}}" }""", Encoding.UTF8, "application/json"));
            var answeredMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if ((int)response.StatusCode != 200)
            {
                errors++;
                continue;
            }

            var done = await WaitNodeSucceededAsync(runtime, instances[i]);
            if (i >= warmup)
            {
                answered.Add(answeredMs);
                resumed.Add((done - sent).TotalMilliseconds);
            }
        }

        answered.Sort();
        resumed.Sort();
        return new EventDeliveryRun(Percentile(answered, 0.5), Percentile(answered, 0.99), Percentile(resumed, 0.5), Percentile(resumed, 0.99), errors);
    }

    public string Line(string provider) =>
        string.Create(CultureInfo.InvariantCulture, $"{provider,-9} | {AnsweredP50Ms,15:F2} | {AnsweredP99Ms,15:F2} | {ResumedP50Ms,14:F2} | {ResumedP99Ms,14:F2} | {Errors}");

    /// <summary>When the instance's waiting node succeeded, by the journal.</summary>
    private static async Task<DateTimeOffset> WaitNodeSucceededAsync(WorkflowRuntime runtime, string instanceId)
    {
        for (var polls = 0; ; polls++)
        {
            var succeeded = (await runtime.GetJournalAsync(instanceId)).FirstOrDefault(j => j.NodeId == "wait" && j.Type == JournalEventType.NodeSucceeded);
            if (succeeded is not null)
            {
                return succeeded.At;
            }

            if (polls > 20_000)
            {
                throw new TimeoutException($"Instance {instanceId}'s event node was not resumed.");
            }

            await Task.Delay(1);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
