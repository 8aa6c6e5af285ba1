using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Server.HttpTriggers;

/// <summary>
/// Waits for the answer to an http trigger's caller: the output of the instance's
/// <c>http.respond</c> node, or the workflow's output when the trigger has <c>wait</c>. Both are
/// read from the database, so the worker that ran the node may be any process on it; polling
/// starts at 5 ms and backs off to 100 ms, and an instance this process finishes wakes its caller
/// at once (<see cref="HttpTriggerWaiters"/>).
/// </summary>
internal static class HttpTriggerResponder
{
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(100);

    public static async Task<IResult> WaitAsync(HttpTrigger trigger, string instanceId, TimeSpan timeout, WorkflowRuntime runtime, HttpTriggerWaiters waiters, TimeProvider time, CancellationToken cancellationToken)
    {
        var finished = waiters.Add(instanceId);
        try
        {
            return await WaitCoreAsync(trigger, instanceId, timeout, runtime, finished.Task, time, cancellationToken);
        }
        finally
        {
            waiters.Remove(instanceId);
        }
    }

    private static async Task<IResult> WaitCoreAsync(HttpTrigger trigger, string instanceId, TimeSpan timeout, WorkflowRuntime runtime, Task finished, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var poll = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var (status, output) = await runtime.GetStatusAndOutputAsync(instanceId, trigger.RespondNodes, cancellationToken);
            if (output is not null && JsonNode.Parse(output) is JsonObject response)
            {
                return Respond(response);
            }

            if (status is not InstanceStatus.Running)
            {
                return await FinishedAsync(trigger, instanceId, runtime, cancellationToken);
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return Accepted(instanceId);
            }

            await Task.WhenAny(finished, Task.Delay(poll < left ? poll : left, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            poll = poll * 2 < MaxPoll ? poll * 2 : MaxPoll;
        }
    }

    /// <summary>202 with the instance id and a Location to the instance.</summary>
    public static IResult Accepted(string instanceId) =>
        TypedResults.Accepted($"/api/instances/{Uri.EscapeDataString(instanceId)}", new Api.RunAccepted(instanceId, InstanceStatus.Running));

    // Finished without an http.respond answer: with wait, the workflow's output; without, the
    // caller only learns the instance id (as if it had not waited).
    private static async Task<IResult> FinishedAsync(HttpTrigger trigger, string instanceId, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        if (trigger.Definition.Wait is null)
        {
            return Accepted(instanceId);
        }

        var view = await runtime.GetInstanceAsync(instanceId, cancellationToken);
        return view switch
        {
            { Status: InstanceStatus.Succeeded } => TypedResults.Json(view.Output, statusCode: StatusCodes.Status200OK),
            null => Accepted(instanceId),
            _ => TypedResults.Problem(
                title: "The workflow did not succeed.",
                detail: $"Instance {instanceId} ended {view.Status}{(view.Error is { } error ? $": {error}" : "")}.",
                statusCode: StatusCodes.Status500InternalServerError,
                extensions: new Dictionary<string, object?> { ["instanceId"] = instanceId }),
        };
    }

    private static IResult Respond(JsonObject response) => new HttpRespondResult(response);

    /// <summary>Writes an <c>http.respond</c> node's output as the response.</summary>
    private sealed class HttpRespondResult(JsonObject response) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var http = httpContext.Response;
            http.StatusCode = (int?)response["status"] ?? StatusCodes.Status200OK;
            if (response["headers"] is JsonObject headers)
            {
                foreach (var (name, value) in headers)
                {
                    http.Headers[name] = value?.ToString();
                }
            }

            if (response["body"] is not { } body)
            {
                return;
            }

            http.ContentType = (string?)response["contentType"] ?? "application/json";
            var text = body is JsonValue v && v.TryGetValue<string>(out var s) ? s : body.ToJsonString();
            await http.WriteAsync(text, httpContext.RequestAborted);
        }
    }
}
