using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Engine.Jobs;

/// <summary>
/// Wraps Hangfire's server so that stopping takes at most <paramref name="limit"/>. With its
/// database unreachable, Hangfire's dispatchers sit in connection retries and its stop would
/// use up the host's whole shutdown timeout and then fail the shutdown. Scheduled jobs only
/// start instances, so there is nothing to lose by not waiting longer.
/// </summary>
internal sealed partial class BoundedStopHostedService(IHostedService inner, TimeSpan limit, ILogger<BoundedStopHostedService> logger) : IHostedService, IAsyncDisposable
{
    private bool _stoppedCleanly = true;

    public Task StartAsync(CancellationToken cancellationToken) => inner.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(limit);
        try
        {
            await inner.StopAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            _stoppedCleanly = false;
            GaveUp(logger, limit);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Disposing a server that did not stop would wait for it again.
        if (!_stoppedCleanly)
        {
            return;
        }

        switch (inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The job server did not stop within {Limit}; leaving it behind (is the database reachable?)")]
    private static partial void GaveUp(ILogger logger, TimeSpan limit);
}
