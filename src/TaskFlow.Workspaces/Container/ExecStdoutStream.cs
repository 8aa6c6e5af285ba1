using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Docker.DotNet;

namespace TaskFlow.Workspaces.Container;

/// <summary>
/// The standard output of a program started in a container through an attached exec, as a
/// read-only stream. What the program writes to its standard error is handed to
/// <c>stderr</c> (for a log) and never mixed into the output. Disposing it ends the attach.
/// </summary>
internal sealed class ExecStdoutStream(MultiplexedStream exec, Action<string> stderr) : Stream
{
    private readonly StringBuilder _errorLine = new();
    private int _disposed;

    public override bool CanRead => Volatile.Read(ref _disposed) == 0;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        while (true)
        {
            var read = await exec.ReadOutputAsync(buffer, offset, count, cancellationToken);
            if (read.EOF)
            {
                FlushErrorLine();
                return 0;
            }

            if (read.Target != MultiplexedStream.TargetStream.StandardError)
            {
                return read.Count;
            }

            AppendError(buffer.AsSpan(offset, read.Count));
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (MemoryMarshal.TryGetArray<byte>(buffer, out var segment))
        {
            return await ReadAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken);
        }

        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, buffer.Length));
        try
        {
            var count = await ReadAsync(rented, 0, buffer.Length, cancellationToken);
            rented.AsSpan(0, count).CopyTo(buffer.Span);
            return count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void AppendError(ReadOnlySpan<byte> bytes)
    {
        foreach (var c in Encoding.UTF8.GetString(bytes))
        {
            if (c == '\n')
            {
                FlushErrorLine();
            }
            else if (_errorLine.Length < 4096)
            {
                _errorLine.Append(c);
            }
        }
    }

    private void FlushErrorLine()
    {
        if (_errorLine.Length > 0)
        {
            stderr(_errorLine.ToString());
            _errorLine.Clear();
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            exec.Dispose();
        }

        base.Dispose(disposing);
    }
}
