using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace TaskFlow.Workspaces.Container;

/// <summary>
/// One attach to a container whose main process is the exec agent (<see cref="ExecAgentProtocol"/>):
/// requests are written to its standard input, answers read from its standard output and handed
/// to the command waiting for each. The attach ending (the container stopped or was removed, the
/// engine went away) fails every waiting command and makes the connection <see cref="IsClosed"/>.
/// </summary>
internal sealed class ExecAgentConnection : IAsyncDisposable
{
    private readonly MultiplexedStream _stream;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<AgentAnswer>> _waiting = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _reading;
    private int _closed;

    private ExecAgentConnection(MultiplexedStream stream)
    {
        _stream = stream;
        _reading = Task.Run(ReadAsync);
    }

    public bool IsClosed => Volatile.Read(ref _closed) == 1;

    /// <summary>Attaches and checks that the agent answers within <paramref name="ready"/>; null when it does not (no agent in this container).</summary>
    public static async Task<ExecAgentConnection?> ConnectAsync(DockerClient docker, string container, TimeSpan ready, TimeProvider time)
    {
        var stream = await docker.Containers.AttachContainerAsync(
            container,
            tty: false,
            new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true },
            CancellationToken.None);
        var connection = new ExecAgentConnection(stream);
        var token = Guid.NewGuid().ToString("N");
        var pong = connection.Expect(token);
        try
        {
            await connection.WriteAsync($"P {token}\n");
            await pong.WaitAsync(ready, time);
            return connection;
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or WorkspaceException)
        {
            await connection.DisposeAsync();
            return null;
        }
    }

    /// <summary>Registers a wait for the answer to <paramref name="id"/>; call before sending the request.</summary>
    public Task<AgentAnswer> Expect(string id)
    {
        var answer = new TaskCompletionSource<AgentAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        if (IsClosed)
        {
            Forget(id);
            answer.TrySetException(Closed());
        }

        return answer.Task;
    }

    public void Forget(string id) => _waiting.TryRemove(id, out _);

    public async Task WriteAsync(string lines)
    {
        var bytes = Encoding.UTF8.GetBytes(lines);
        await _writing.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes, 0, bytes.Length, _closing.Token);
        }
        catch (Exception ex) when (ex is not WorkspaceException)
        {
            Close();
            throw Closed(ex);
        }
        finally
        {
            _writing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _closing.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        var line = new MemoryStream();
        try
        {
            while (true)
            {
                var read = await _stream.ReadOutputAsync(buffer, 0, buffer.Length, _closing.Token);
                if (read.EOF)
                {
                    return;
                }

                // The agent's own stderr (a shell error) is not part of the protocol.
                if (read.Target != MultiplexedStream.TargetStream.StandardOut)
                {
                    continue;
                }

                var chunk = buffer.AsSpan(0, read.Count);
                while (chunk.IndexOf((byte)'\n') is var end and >= 0)
                {
                    line.Write(chunk[..end]);
                    Deliver(Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length));
                    line.SetLength(0);
                    chunk = chunk[(end + 1)..];
                }

                line.Write(chunk);
            }
        }
        catch (Exception)
        {
            // The attach ended: every waiting command fails below.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Close();
            foreach (var id in _waiting.Keys)
            {
                if (_waiting.TryRemove(id, out var waiting))
                {
                    waiting.TrySetException(Closed());
                }
            }
        }
    }

    private void Deliver(string line)
    {
        if (ExecAgentProtocol.Parse(line) is { } answer && _waiting.TryRemove(answer.Id, out var waiting))
        {
            waiting.TrySetResult(answer);
        }
    }

    /// <summary>Ends the attach: waiting commands fail, the reader stops.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _closing.Cancel();
            _stream.Dispose();
        }
    }

    private static WorkspaceException Closed(Exception? inner = null) =>
        new("The connection to the workspace's exec agent ended (the container stopped or was removed, or the engine went away)", inner);
}
