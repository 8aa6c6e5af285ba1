namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// A call's connection to its server was lost while the call was in flight (the process exited, a
/// pipe broke, the session ended): the call may or may not have run.
/// </summary>
/// <param name="counted">True for the one call that reported the loss (see <see cref="Counted"/>).</param>
internal sealed class UpstreamConnectionLostException(string reason, bool counted, Exception inner)
    : Exception($"connection lost: {reason}", inner)
{
    /// <summary>
    /// Whether this call is the one that counts the loss against the server's breaker: a crash is one
    /// failure of the server, however many calls it cut off.
    /// </summary>
    public bool Counted { get; } = counted;
}
