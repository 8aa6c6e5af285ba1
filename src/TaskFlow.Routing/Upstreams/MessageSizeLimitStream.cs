namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// A read-only view of what an upstream server sends that fails the read once one line, that is
/// one JSON-RPC message (stdio frames each on a line; Server-Sent Events carry each in a
/// <c>data:</c> line; a plain JSON answer is one body), grows past the limit. The transport's
/// reader then ends the session, and the calls on it fail with <see cref="Failure"/>, instead of
/// the router reading a 50 MB answer into memory and handing it on to a workflow's state.
/// </summary>
/// <param name="failed">Told of the failure once, when it happens.</param>
internal sealed class MessageSizeLimitStream(Stream inner, long limit, Action<MessageTooLargeException>? failed = null) : Stream
{
    private long _lineLength;

    /// <summary>Why the stream stopped; null while it has not.</summary>
    public MessageTooLargeException? Failure { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override int Read(Span<byte> buffer) => Count(buffer[..inner.Read(buffer)]);

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Count(buffer.AsSpan(offset, await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Count(buffer.Span[..read]);
    }

    private int Count(ReadOnlySpan<byte> read)
    {
        if (Failure is { } failed)
        {
            throw failed;
        }

        var rest = read;
        while (true)
        {
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _lineLength += rest.Length;
                break;
            }

            if (_lineLength + newline > limit)
            {
                throw Fail();
            }

            _lineLength = 0;
            rest = rest[(newline + 1)..];
        }

        return _lineLength > limit ? throw Fail() : read.Length;
    }

    private MessageTooLargeException Fail()
    {
        Failure = new MessageTooLargeException(limit);
        failed?.Invoke(Failure);
        return Failure;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
