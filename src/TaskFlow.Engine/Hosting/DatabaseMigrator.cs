using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Hosting;

/// <summary>Applies pending EF Core migrations before anything else starts. Registered first, so hosted services after it see the schema.</summary>
public sealed partial class DatabaseMigrator(TaskFlowDbContextFactory contexts, IOptions<TaskFlowEngineOptions> options, ILogger<DatabaseMigrator> logger) : IHostedService
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
            await WarnWithoutTextIndexAsync(context, cancellationToken);
        }
        finally
        {
            await context.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(hashtext('taskflow:migrate'))", CancellationToken.None);
            await context.Database.CloseConnectionAsync();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The migration that creates the trigram index succeeds without it where pg_trgm cannot be
    // created; say so here too, where the operator reads the server's log.
    private async Task WarnWithoutTextIndexAsync(TaskFlowDbContext context, CancellationToken cancellationToken)
    {
        var present = await context.Database.SqlQueryRaw<bool>("SELECT to_regclass('ix_tf_instances_input_trgm') IS NOT NULL AS \"Value\"").SingleAsync(cancellationToken);
        if (!present)
        {
            NoTextIndex(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pg_trgm extension could not be created, so the instance text search (GET /api/instances?q=) runs without an index; create the extension (CREATE EXTENSION pg_trgm) and the index ix_tf_instances_input_trgm to make it indexed")]
    private static partial void NoTextIndex(ILogger logger);
}
