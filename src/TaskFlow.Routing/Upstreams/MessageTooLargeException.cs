namespace TaskFlow.Routing.Upstreams;

/// <summary>An upstream server sent one message larger than <see cref="UpstreamServerOptions.MaxMessageMegabytes"/> allows.</summary>
public sealed class MessageTooLargeException(long limit, Exception? inner = null)
    : IOException($"sent a message larger than {limit / (1024 * 1024.0):0.##} MB (MaxMessageMegabytes)", inner)
{
    /// <summary>The limit in bytes.</summary>
    public long Limit { get; } = limit;
}
