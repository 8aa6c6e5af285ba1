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
        // EF Core takes a database lock while migrating, so several processes starting on one
        // PostgreSQL at once apply each migration exactly once.
        await context.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
