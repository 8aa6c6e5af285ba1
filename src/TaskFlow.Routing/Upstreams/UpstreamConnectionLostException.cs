namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// A call's connection to its server was lost while the call was in flight (the process exited, a
/// pipe broke, the session ended): the call may or may not have run. The loss itself has been
/// counted against the server's breaker once, by whoever saw it first, however many calls it cut off.
/// </summary>
/// <param name="restarted">Completes when the start that replaces the connection has ended, well or not.</param>
internal sealed class UpstreamConnectionLostException(string reason, Task restarted, Exception? inner)
    : Exception($"connection lost: {reason}", inner)
{
    public Task Restarted { get; } = restarted;
}
