using System.Runtime.InteropServices;
using Docker.DotNet;

namespace TaskFlow.Workspaces.Container;

/// <summary>
/// The standard input of a program started in a container through an attached exec, as a
/// write-only stream: disposing it closes the program's input (the program sees its end).
/// </summary>
internal sealed class ExecStdinStream(MultiplexedStream exec) : Stream
{
    private int _closed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => Volatile.Read(ref _closed) == 0;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) == 1, this);
        return exec.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) == 1, this);
        if (MemoryMarshal.TryGetArray(buffer, out var segment))
        {
            await exec.WriteAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken);
            return;
        }

        var bytes = buffer.ToArray();
        await exec.WriteAsync(bytes, 0, bytes.Length, cancellationToken);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _closed, 1) == 0)
        {
            try
            {
                exec.CloseWrite();
            }
            catch (Exception)
            {
                // The exec's connection is already gone: its input is closed either way.
            }
        }

        base.Dispose(disposing);
    }
}
