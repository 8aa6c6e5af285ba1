using Microsoft.EntityFrameworkCore;
using TaskFlow.Engine.Hosting;

namespace TaskFlow.Engine.Persistence;

/// <summary>Creates the provider's DbContext: for migrations at start and for the read side of the API.</summary>
public sealed class TaskFlowDbContextFactory(DatabaseProvider provider, string connectionString)
{
    public DatabaseProvider Provider { get; } = provider;

    public TaskFlowDbContext Create() => Provider switch
    {
        DatabaseProvider.Postgres => new PostgresTaskFlowDbContext(new DbContextOptionsBuilder<PostgresTaskFlowDbContext>()
            .UseNpgsql(connectionString)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .Options),
        _ => new SqliteTaskFlowDbContext(new DbContextOptionsBuilder<SqliteTaskFlowDbContext>()
            .UseSqlite(connectionString)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .Options),
    };
}
