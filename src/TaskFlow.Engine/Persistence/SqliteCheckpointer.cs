using Microsoft.Data.Sqlite;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// Copies the SQLite write-ahead log into the database file from a connection and a thread of its
/// own, shortly after commits, so that the commits themselves rarely pay for it.
/// </summary>
/// <remarks>
/// - SQLite's automatic checkpoint runs inside the commit that crosses the WAL's size limit: it
///   copies every page written since the last checkpoint and flushes the database file. On a
///   checkpointed chain that was one commit in about 900 taking 60 ms, a fifth of the chain's time
///   (bench/RESULTS.md).
/// - Here a passive checkpoint (<c>PRAGMA wal_checkpoint(PASSIVE)</c>) runs
///   <see cref="Pause"/> after a commit, on this class's connection. A passive checkpoint never waits
///   for readers or writers: commits go on while it copies.
/// - The writer's own automatic checkpoint stays on as the backstop. The log only starts again from
///   its beginning after a checkpoint that copied all of it, and under steady writes the passive
///   checkpoints rarely catch up with the last commit, so the writer's checkpoint still runs at the
///   limit, but finds almost everything copied already.
/// - A checkpoint that fails (the file busy with another process's checkpoint, a disk error) is
///   dropped: nothing depends on it, and the next commit asks for another.
/// </remarks>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>How long after a commit the checkpoint runs, so that a burst of commits shares one.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private int _asked;

    public SqliteCheckpointer(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        _thread = new Thread(Run) { IsBackground = true, Name = "TaskFlow SQLite checkpoint" };
        _thread.Start();
    }

    /// <summary>Called after a commit: asks for a checkpoint, unless one is asked for already.</summary>
    public void Committed()
    {
        if (Interlocked.Exchange(ref _asked, 1) == 0)
        {
            _wake.Release();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _connection.Dispose();
        _wake.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        using var checkpoint = _connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        try
        {
            while (true)
            {
                _wake.Wait(_stop.Token);
                _stop.Token.WaitHandle.WaitOne(Pause);
                _stop.Token.ThrowIfCancellationRequested();
                Volatile.Write(ref _asked, 0);
                try
                {
                    // One row: busy, pages in the log, pages copied. Reading it to the end resets
                    // the statement, so this connection holds no read lock between checkpoints.
                    using var reader = checkpoint.ExecuteReader();
                    while (reader.Read())
                    {
                    }
                }
                catch (SqliteException)
                {
                    // Dropped (see the remarks); the writer's own checkpoint is the backstop.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
