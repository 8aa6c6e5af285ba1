using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Decomposition;
using TaskFlow.Engine.Dispatch;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Hosting;

public static class TaskFlowEngineServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine: storage (SQLite by default, PostgreSQL when a connection string is set),
    /// migrations at start, the worker, and the built-in activities.
    /// </summary>
    public static TaskFlowEngineBuilder AddTaskFlowEngine(this IServiceCollection services, Action<TaskFlowEngineOptions>? configure = null)
    {
        // Configuration first (section TaskFlow:Engine, when an IConfiguration is registered), then code.
        var optionsBuilder = services.AddOptions<TaskFlowEngineOptions>().BindConfiguration(TaskFlowEngineOptions.SectionName);
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateDataAnnotations().ValidateOnStart();
        // Added beside the data-annotations validator, not instead of it: TryAddSingleton would
        // find that one registered for the same service type and skip this one.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskFlowEngineOptions>, EngineOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GraphCache>(_ => new GraphCache());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TaskFlowEngineOptions>>().Value.Limits);
        services.TryAddSingleton<WorkSignal>();
        services.TryAddSingleton(sp => new ActivityCatalog(sp.GetServices<ActivityRegistration>()));
        services.TryAddSingleton(sp => new TaskFlowDbContextFactory(Options(sp).EffectiveProvider, ConnectionString(Options(sp))));
        services.TryAddSingleton(sp => CreateDataSource(Options(sp).PostgresConnectionString ?? throw new InvalidOperationException("TaskFlow:Engine:PostgresConnectionString is not set.")));
        services.TryAddSingleton<Diagnostics.EngineMetrics>();
        services.TryAddSingleton<Diagnostics.InstanceTraces>();
        services.TryAddSingleton<EngineStore>(sp =>
        {
            EngineStore store = Options(sp).EffectiveProvider == DatabaseProvider.Postgres
                ? new PostgresEngineStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<GraphCache>(), sp.GetRequiredService<WorkflowLimits>(), sp.GetRequiredService<TimeProvider>())
                : new SqliteEngineStore(ConnectionString(Options(sp)), sp.GetRequiredService<GraphCache>(), sp.GetRequiredService<WorkflowLimits>(), sp.GetRequiredService<TimeProvider>());
            store.Metrics = sp.GetRequiredService<Diagnostics.EngineMetrics>();
            return store;
        });
        services.AddOptions<Secrets.SecretOptions>().BindConfiguration(Secrets.SecretOptions.SectionName);
        services.TryAddSingleton<Secrets.SecretStore>();
        services.TryAddSingleton<ActivityExecutor>();
        services.TryAddSingleton<InlineStepRunner>();
        services.TryAddSingleton<WorkflowRuntime>();
        services.AddTaskDecomposition();
        services.TryAddSingleton<WorkDispatcher>();

        // Order matters: hosted services start in registration order, and the schema must exist first.
        services.AddOptions<Core.Scripting.JavaScriptOptions>().BindConfiguration(Core.Scripting.JavaScriptOptions.SectionName);
        services.AddHostedService<JavaScriptSetup>();
        services.AddHostedService<DatabaseMigrator>();
        services.AddHostedService<EngineWorkerHost>();
        services.TryAddSingleton<BulkOperations.BulkOperations>();
        services.AddHostedService<BulkOperations.BulkOperationWorker>();

        var builder = new TaskFlowEngineBuilder(services);
        builder.AddActivity<NoopActivity>(Descriptor(BuiltInActivities.Noop));
        builder.AddActivity<FailActivity>(Descriptor(BuiltInActivities.Fail));
        builder.AddActivity<DelayActivity>(Descriptor(BuiltInActivities.Delay));
        builder.AddActivity<JoinActivity>(Descriptor(BuiltInActivities.Join));
        builder.AddActivity<ForEachActivity>(Descriptor(BuiltInActivities.ForEach));
        builder.AddActivity<WorkflowActivity>(Descriptor(BuiltInActivities.Workflow));
        builder.AddActivity<TransformActivity>(Descriptor(BuiltInActivities.Transform));
        builder.AddActivity<SleepActivity>(Descriptor(BuiltInActivities.Sleep));
        builder.AddActivity<SetVariableActivity>(Descriptor(BuiltInActivities.SetVariable));
        builder.AddActivity<LogActivity>(Descriptor(BuiltInActivities.Log));
        builder.AddActivity<JavaScriptActivity>(Descriptor(BuiltInActivities.JavaScript));
        builder.AddActivity<Events.EventActivity>(Descriptor(BuiltInActivities.Event));
        services.TryAddSingleton<Events.EventPublisher>();
        builder.AddActivity<Events.EventPublishActivity>();
        builder.AddActivity<Approvals.ApprovalActivity>(Descriptor(BuiltInActivities.Approval));
        builder.AddActivity<AgentTasks.AgentActivity>(Descriptor(BuiltInActivities.Agent));
        services.AddOptions<Http.HttpRequestOptions>().BindConfiguration(Http.HttpRequestOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        Http.HttpRequestClients.Add(services);
        builder.AddActivity<Http.HttpRequestActivity>();
        builder.AddActivity<Http.HttpRespondActivity>();
        builder.AddActivity<AggregateActivity>(Core.Decomposition.AggregateActivityDescriptor.Descriptor);
        return builder;
    }

    internal static string ConnectionString(TaskFlowEngineOptions options)
    {
        if (options.EffectiveProvider == DatabaseProvider.Postgres)
        {
            return options.PostgresConnectionString!;
        }

        var directory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(directory);
        return $"Data Source={Path.Combine(directory, "taskflow.db")};Pooling=False";
    }

    /// <summary>
    /// The hot path runs the same few statements thousands of times a second; unless the
    /// connection string says otherwise, Npgsql prepares them, so PostgreSQL parses and plans
    /// each one once per connection instead of on every execution, and does not reset a pooled
    /// connection's session on every checkout (seven statements ahead of each commit): the engine
    /// leaves no session state behind (no SET, temporary tables, cursors or held advisory locks).
    /// </summary>
    internal static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        // Npgsql's builder knows every keyword; the plain one tells whether the string set it.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    private static TaskFlowEngineOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<TaskFlowEngineOptions>>().Value;

    private static ActivityDescriptor Descriptor(string type) => BuiltInActivities.Descriptors.Single(d => d.Type == type);

    private sealed class EngineOptionsValidator : IValidateOptions<TaskFlowEngineOptions>
    {
        public ValidateOptionsResult Validate(string? name, TaskFlowEngineOptions options)
        {
            var problems = options.Problems().ToList();
            var context = new System.ComponentModel.DataAnnotations.ValidationContext(options.Limits);
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options.Limits, context, results, validateAllProperties: true))
            {
                problems.AddRange(results.Select(r => $"TaskFlow:Engine:Limits: {r.ErrorMessage}"));
            }

            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}

/// <summary>
/// Starts, on PostgreSQL, the notification listener, and the worker when this process runs workers.
/// A process without workers listens too: the listening connection is the one that notices a lost
/// database and clears the connection pools, so that its API calls do not fail on stale connections.
/// </summary>
internal sealed class EngineWorkerHost(IServiceProvider services, IOptions<TaskFlowEngineOptions> options) : IHostedService
{
    private readonly List<IHostedService> _started = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.EffectiveProvider == DatabaseProvider.Postgres)
        {
            _started.Add(ActivatorUtilities.CreateInstance<PostgresWorkListener>(services));
        }

        if (options.Value.RunWorkers)
        {
            _started.Add(services.GetRequiredService<WorkDispatcher>());
        }

        foreach (var service in _started)
        {
            await service.StartAsync(cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var service in Enumerable.Reverse(_started))
        {
            await service.StopAsync(cancellationToken);
        }
    }
}
