using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace TaskFlow.Hooks;

/// <summary>
/// Also stores a plan on a TaskFlow server (POST /api/decompose with save:true) when TASKFLOW_URL
/// is set, so the workflow can be seen and run there. Best effort with a short timeout: a server
/// that does not answer is noted on stderr and never fails the hook.
/// </summary>
internal sealed class HookServerMirror(Uri server, string? apiKey, TimeSpan timeout)
{
    /// <summary>The mirror TASKFLOW_URL names, or null; without the variable nothing of HTTP is loaded.</summary>
    public static HookServerMirror? FromEnvironment() =>
        Environment.GetEnvironmentVariable("TASKFLOW_URL") is { Length: > 0 } text ? Create(text) : null;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static HookServerMirror? Create(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? new HookServerMirror(url, Environment.GetEnvironmentVariable("TASKFLOW_API_KEY"), TimeSpan.FromSeconds(2))
            : null;

    public async Task SaveAsync(HookPlan plan, Action<string> note, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["task"] = new JsonObject
            {
                ["id"] = plan.WorkflowId,
                ["description"] = plan.Description.Length > 0 ? plan.Description : plan.WorkflowId,
                ["subtasks"] = new JsonArray(plan.Subtasks.Select(s => (JsonNode?)new JsonObject
                {
                    ["id"] = s.Id,
                    ["description"] = s.Description,
                    ["dependencies"] = HookJson.Strings(s.Dependencies),
                    ["weight"] = s.Weight,
                }).ToArray()),
            },
            ["aggregation"] = Core.Decomposition.AggregateActivityDescriptor.ModeName(plan.Aggregation),
            ["save"] = true,
        };
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server, "/api/decompose"))
            {
                Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            if (!string.IsNullOrEmpty(apiKey))
            {
                request.Headers.Add("X-Api-Key", apiKey);
            }

            using var response = await http.SendAsync(request, timeoutSource.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                note($"taskflow hook: {server} did not store workflow {plan.WorkflowId}: HTTP {(int)response.StatusCode}; the plan is stored locally only.");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            note($"taskflow hook: {server} did not answer within {timeout.TotalSeconds:0} s ({ex.GetType().Name}); workflow {plan.WorkflowId} is stored locally only.");
        }
    }
}
