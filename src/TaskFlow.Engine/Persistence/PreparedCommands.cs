using Microsoft.Data.Sqlite;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// The SQLite store's commands, kept prepared from one transaction to the next: the store has one
/// connection and one session at a time, and its statements are few and fixed, so each is parsed
/// and planned once instead of once per commit (about a third of a commit's time in SQLite before).
/// A command taken while an earlier use of the same text is still open gets a fresh one.
/// </summary>
internal sealed class PreparedCommands(SqliteConnection connection) : IDisposable
{
    private const int MaxKept = 256;
    private readonly Dictionary<string, KeptCommand> _kept = new(StringComparer.Ordinal);

    public SqliteCommand Take(string sql, SqliteTransaction transaction)
    {
        if (!_kept.TryGetValue(sql, out var command))
        {
            if (_kept.Count >= MaxKept)
            {
                // Statements built from varying text would grow the set without bound; start again.
                Dispose();
            }

            command = new KeptCommand { Connection = connection, CommandText = sql };
            _kept[sql] = command;
        }

        if (command.InUse)
        {
            return new SqliteCommand(sql, connection, transaction);
        }

        command.InUse = true;
        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _kept.Values)
        {
            command.Release();
        }

        _kept.Clear();
    }

    /// <summary>Disposing it (as every caller does after use) hands it back, prepared, with no parameters.</summary>
    private sealed class KeptCommand : SqliteCommand
    {
        public bool InUse { get; set; }

        public void Release() => base.Dispose(true);

        protected override void Dispose(bool disposing)
        {
            if (disposing && InUse)
            {
                Parameters.Clear();
                Transaction = null;
                InUse = false;
            }
        }
    }
}
