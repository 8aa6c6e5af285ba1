using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.BulkOperations;

/// <summary>
/// Runs bulk operations one after the other, instance by instance, recording a result for each.
/// At start it resumes every stored operation that still has pending results: an instance
/// handled just before a crash but not yet recorded is handled again, which finds it already
/// cancelled, reopened or deleted and records it as skipped with that reason.
/// </summary>
public sealed partial class BulkOperationWorker(BulkOperations operations, EngineStore store, WorkflowRuntime runtime, ILogger<BulkOperationWorker> logger) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await operations.ResumeAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogResumeFailed(logger, ex);
        }

        await foreach (var id in operations.Queued.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RunAsync(id, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The operation stays Running with its pending rows; the next start resumes it.
                LogOperationFailed(logger, ex, id);
            }
        }
    }

    private async Task RunAsync(string operationId, CancellationToken cancellationToken)
    {
        while (await store.PendingBulkResultsAsync(operationId, Batch, cancellationToken) is { Pending.Count: > 0 } batch)
        {
            foreach (var (position, instanceId) in batch.Pending)
            {
                var (outcome, reason) = await ApplyAsync(batch.Kind, instanceId, cancellationToken);
                await store.RecordBulkResultAsync(operationId, position, outcome, reason, cancellationToken);
            }
        }

        await store.CompleteBulkOperationAsync(operationId, cancellationToken);
    }

    private async Task<(BulkOutcome Outcome, string? Reason)> ApplyAsync(BulkOperationKind kind, string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            return kind switch
            {
                BulkOperationKind.Cancel => await CancelAsync(instanceId, cancellationToken),
                BulkOperationKind.Retry => await RetryAsync(instanceId, cancellationToken),
                BulkOperationKind.Delete => await store.DeleteFinishedInstanceAsync(instanceId, cancellationToken) is { } refusal
                    ? (BulkOutcome.Skipped, refusal)
                    : (BulkOutcome.Done, null),
                _ => (BulkOutcome.Failed, $"Unknown operation kind {kind}."),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (BulkOutcome.Failed, ex.Message);
        }
    }

    private async Task<(BulkOutcome, string?)> CancelAsync(string instanceId, CancellationToken cancellationToken)
    {
        var status = await runtime.GetStatusAsync(instanceId, cancellationToken);
        if (status is null)
        {
            return (BulkOutcome.Skipped, $"Instance '{instanceId}' is not stored.");
        }

        if (status != InstanceStatus.Running || !await runtime.CancelAsync(instanceId, cancellationToken))
        {
            return (BulkOutcome.Skipped, $"Instance '{instanceId}' is {await runtime.GetStatusAsync(instanceId, cancellationToken)}; only a running instance is cancelled.");
        }

        return (BulkOutcome.Done, null);
    }

    private async Task<(BulkOutcome, string?)> RetryAsync(string instanceId, CancellationToken cancellationToken)
    {
        var instance = await runtime.GetInstanceAsync(instanceId, cancellationToken);
        if (instance is null)
        {
            return (BulkOutcome.Skipped, $"Instance '{instanceId}' is not stored.");
        }

        if (instance.Status != InstanceStatus.Failed)
        {
            return (BulkOutcome.Skipped, $"Instance '{instanceId}' is {instance.Status}; only a failed instance is retried.");
        }

        var failed = instance.Nodes.Where(n => n.Status == NodeStatus.Failed).Select(n => n.NodeId).ToArray();
        if (failed.Length == 0)
        {
            return (BulkOutcome.Skipped, $"Instance '{instanceId}' has no failed node to retry.");
        }

        // The first retry reopens the instance; further failed nodes are retried in the reopened instance.
        string? firstRefusal = null;
        var retried = 0;
        foreach (var nodeId in failed)
        {
            try
            {
                await runtime.RetryNodeAsync(instanceId, nodeId, cancellationToken);
                retried++;
            }
            catch (InvalidOperationException ex)
            {
                firstRefusal ??= ex.Message;
            }
        }

        return retried > 0 ? (BulkOutcome.Done, null) : (BulkOutcome.Failed, firstRefusal);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the bulk operations to resume; they resume at the next start")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bulk operation {OperationId} stopped; its pending instances resume at the next start")]
    private static partial void LogOperationFailed(ILogger logger, Exception exception, string operationId);
}
