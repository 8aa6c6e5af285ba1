using System.Data.Common;

namespace TaskFlow.Engine.Persistence;

/// <summary>One write transaction. Disposing without <see cref="CommitAsync"/> rolls back.</summary>
public abstract class StoreSession(DbConnection connection, DbTransaction transaction, DateTimeOffset now) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    /// <summary>The transaction's clock reading: every time written in it is this one.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>Commits; <paramref name="newWork"/> wakes the workers of every process.</summary>
    public abstract Task CommitAsync(bool newWork, CancellationToken cancellationToken);

    /// <summary>A command in this transaction; dispose it after use (a provider may keep it prepared for the next one).</summary>
    public virtual DbCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    public abstract ValueTask DisposeAsync();
}
