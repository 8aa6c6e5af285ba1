using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Hosting;

/// <summary>Applies pending EF Core migrations before anything else starts. Registered first, so hosted services after it see the schema.</summary>
public sealed class DatabaseMigrator(TaskFlowDbContextFactory contexts, IOptions<TaskFlowEngineOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStart)
        {
            return;
        }

        await using var context = contexts.Create();
        if (!context.Database.IsNpgsql())
        {
            await context.Database.MigrateAsync(cancellationToken);
            return;
        }

        // Several processes starting on one PostgreSQL at once (a server and its workers) must
        // apply each migration exactly once: EF Core's own migration lock did not stop two of
        // them applying the same one. A session advisory lock, held on the connection the
        // migration runs on, makes the others wait and then find nothing left to apply.
        await context.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await context.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(hashtext('taskflow:migrate'))", cancellationToken);
            await context.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await context.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(hashtext('taskflow:migrate'))", CancellationToken.None);
            await context.Database.CloseConnectionAsync();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
