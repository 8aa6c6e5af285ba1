using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace TaskFlow.Engine.Persistence;

// Used only by `dotnet ef migrations add`; the connection strings are placeholders, never opened.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTaskFlowDbContext>
{
    public SqliteTaskFlowDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTaskFlowDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTaskFlowDbContext>
{
    public PostgresTaskFlowDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTaskFlowDbContext>().UseNpgsql("Host=localhost").Options);
}
