using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Server.Health;

/// <summary>Readiness: one cheap query on the definitions table proves the database answers and has the schema.</summary>
internal sealed class DatabaseHealthCheck(TaskFlowDbContextFactory contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = contexts.Create();
            await db.Definitions.Select(d => d.Version).FirstOrDefaultAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exception stays in the server log; the response says only "Unhealthy".
            return HealthCheckResult.Unhealthy("The database did not answer.", ex);
        }
    }
}
