using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Hosting;

namespace TaskFlow.Engine.Jobs;

public static class TaskFlowJobsServiceCollectionExtensions
{
    /// <summary>
    /// Adds Hangfire for the scheduled work: in-memory storage on the embedded default (one
    /// process), Hangfire.PostgreSql on the engine's PostgreSQL database otherwise, so every
    /// process sees one set of recurring jobs. Call after <c>AddTaskFlowEngine</c>, whose
    /// migrations must run first. With <c>TaskFlow:Jobs:Enabled</c> false only the client is added.
    /// </summary>
    public static IServiceCollection AddTaskFlowJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TaskFlowJobsOptions>().BindConfiguration(TaskFlowJobsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHangfire((provider, config) =>
        {
            var engine = provider.GetRequiredService<IOptions<TaskFlowEngineOptions>>().Value;
            var jobs = provider.GetRequiredService<IOptions<TaskFlowJobsOptions>>().Value;
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings()
                .UseLogProvider(new HangfireLogProvider(provider.GetRequiredService<ILoggerFactory>()));
            if (engine.EffectiveProvider == DatabaseProvider.Postgres)
            {
                config.UsePostgreSqlStorage(
                    o => o.UseNpgsqlConnection(engine.PostgresConnectionString),
                    new PostgreSqlStorageOptions { SchemaName = jobs.PostgresSchema, PrepareSchemaIfNecessary = true });
            }
            else
            {
                config.UseInMemoryStorage();
            }
        });

        if (configuration.GetValue($"{TaskFlowJobsOptions.SectionName}:{nameof(TaskFlowJobsOptions.Enabled)}", true))
        {
            services.AddHangfireServer((provider, server) =>
            {
                var jobs = provider.GetRequiredService<IOptions<TaskFlowJobsOptions>>().Value;
                server.WorkerCount = jobs.WorkerCount;
                server.Queues = [JobQueues.Default, JobQueues.Local];
                server.SchedulePollingInterval = jobs.SchedulePollingInterval;

                // Scheduled jobs only start instances: nothing long-running to wait for at shutdown.
                server.StopTimeout = TimeSpan.FromSeconds(2);
                server.ShutdownTimeout = TimeSpan.FromSeconds(5);
            });
            var hangfireServer = services.Last(d => d.ServiceType == typeof(IHostedService));
            services.Remove(hangfireServer);
            services.AddSingleton<IHostedService>(provider => new BoundedStopHostedService(
                (IHostedService)(hangfireServer.ImplementationFactory?.Invoke(provider) ?? hangfireServer.ImplementationInstance ?? ActivatorUtilities.CreateInstance(provider, hangfireServer.ImplementationType!)),
                TimeSpan.FromSeconds(10),
                provider.GetRequiredService<ILogger<BoundedStopHostedService>>()));
            services.AddHostedService<RecurringJobSync>();
        }

        return services;
    }
}
