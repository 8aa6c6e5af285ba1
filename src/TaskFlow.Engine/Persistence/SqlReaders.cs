using System.Data.Common;

namespace TaskFlow.Engine.Persistence;

/// <summary>Row readers for the column lists the stores select, in the order they select them.</summary>
internal static class SqlReaders
{
    /// <summary>Runs the command and reads every row of its result with <paramref name="read"/>.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static InstanceRecord Instance(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        DefinitionId = r.GetString(1),
        DefinitionVersion = r.GetInt32(2),
        Status = r.GetInt32(3),
        ActiveNodes = r.GetInt32(4),
        Depth = r.GetInt32(5),
        ParentInstanceId = r.IsDBNull(6) ? null : r.GetString(6),
        ParentNodeId = r.IsDBNull(7) ? null : r.GetString(7),
        ParentAttempt = r.GetInt32(8),
        Input = r.GetString(9),
        Variables = r.GetString(10),
        Output = r.IsDBNull(11) ? null : r.GetString(11),
        Error = r.IsDBNull(12) ? null : r.GetString(12),
        CreatedAt = r.GetInt64(13),
        UpdatedAt = r.GetInt64(14),
        FinishedAt = r.IsDBNull(15) ? null : r.GetInt64(15),
    };

    public static NodeStateRecord State(DbDataReader r) => new()
    {
        InstanceId = r.GetString(0),
        NodeId = r.GetString(1),
        Status = r.GetInt32(2),
        Attempt = r.GetInt32(3),
        Arrived = r.GetInt32(4),
        Dead = r.GetInt32(5),
        ItemsTotal = r.GetInt32(6),
        ItemsStarted = r.GetInt32(7),
        ItemsDone = r.GetInt32(8),
        Output = r.IsDBNull(9) ? null : r.GetString(9),
        Error = r.IsDBNull(10) ? null : r.GetString(10),
        Data = r.IsDBNull(11) ? null : r.GetString(11),
        FinishedAt = r.IsDBNull(12) ? null : r.GetInt64(12),
    };

    public static ClaimedWork Claimed(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetInt32(1),
        r.GetString(2),
        r.GetString(3),
        r.GetInt32(4),
        r.GetBoolean(5),
        r.IsDBNull(6) ? null : r.GetString(6),
        r.GetString(7),
        r.GetInt32(8),
        r.GetInt32(9));

    public static DefinitionRecord Definition(DbDataReader r) => new()
    {
        DefinitionId = r.GetString(0),
        Version = r.GetInt32(1),
        Name = r.IsDBNull(2) ? null : r.GetString(2),
        Json = r.GetString(3),
        CreatedAt = r.GetInt64(4),
        IsDeleted = r.GetBoolean(5),
        IsPublished = r.GetBoolean(6),
    };
}
