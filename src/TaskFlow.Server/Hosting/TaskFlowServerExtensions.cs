using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using Prometheus;
using Scalar.AspNetCore;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Jobs;
using TaskFlow.Routing;
using TaskFlow.Routing.Gateway;
using TaskFlow.Routing.Hosting;
using TaskFlow.Workspaces.Hosting;
using Hangfire;
using TaskFlow.Server.Api;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Health;
using TaskFlow.Server.Audit;

using TaskFlow.Server.Tracing;

namespace TaskFlow.Server.Hosting;

public static class TaskFlowServerExtensions
{
    /// <summary>
    /// Adds the engine (SQLite in the data folder unless <c>TaskFlow:Engine:PostgresConnectionString</c>
    /// is set), the REST API's services, API-key authentication, health checks and OpenAPI.
    /// </summary>
    public static WebApplicationBuilder AddTaskFlowServer(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrWhiteSpace(configuration["urls"]))
        {
            builder.WebHost.UseUrls(configuration[$"{TaskFlowServerOptions.SectionName}:{nameof(TaskFlowServerOptions.Urls)}"] ?? new TaskFlowServerOptions().Urls);
        }

        // The CLI's environment variable works for the server too.
        var postgresKey = $"{TaskFlowEngineOptions.SectionName}:{nameof(TaskFlowEngineOptions.PostgresConnectionString)}";
        if (string.IsNullOrWhiteSpace(configuration[postgresKey]) && Environment.GetEnvironmentVariable("TASKFLOW_POSTGRES") is { Length: > 0 } postgres)
        {
            configuration[postgresKey] = postgres;
        }

        LoopbackHostFilter.Configure(builder);
        var services = builder.Services;
        services.AddTaskFlowEngine().AddMcpRouter().AddWorkspaces();
        services.AddTaskFlowTracing(configuration, "taskflow-server", aspNetCore: true);

        // The fleet as one MCP endpoint at /mcp, and TaskFlow's own MCP servers beside it.
        services.AddTaskFlowGateway().WithHttpTransport(McpEndpoints.Configure);
        services.TryAddSingleton<Mcp.TaskDecompositionTools>();
        services.AddTaskFlowJobs(configuration);
        services.AddOptions<TaskFlowServerOptions>().BindConfiguration(TaskFlowServerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TaskFlowServerOptions>, ServerOptionsValidator>();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Limits.MaxRequestBodySize = context.Configuration.GetValue($"{TaskFlowServerOptions.SectionName}:{nameof(TaskFlowServerOptions.MaxRequestBodySize)}", new TaskFlowServerOptions().MaxRequestBodySize));

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();

        // After the default writer, so it only answers clients whose Accept admits no JSON.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
        services.AddExceptionHandler<ProblemExceptionHandler>();

        services.AddSingleton(CreateKeyRing);
        services.AddAuthentication(ApiKeyDefaults.Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);

        // Every endpoint, and every path that matches none, needs a key unless it opts out
        // (only the health checks and resume URLs do), and the key's role must satisfy the
        // route's: viewer to read, admin for anything else, unless the route says otherwise
        // (RequiredRole). A new route is protected without anyone remembering to.
        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyDefaults.Scheme).RequireAuthenticatedUser().AddRequirements(new RoleRequirement()).Build());
        services.AddSingleton<IAuthorizationHandler, RoleForRoute>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, RoleProblemResultHandler>();

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        services.AddOpenApi(o => o.AddDocumentTransformer<ApiKeySecuritySchemeTransformer>());
        services.AddHostedService<StartupBanner>();
        services.AddOptions<HttpTriggers.HttpTriggerOptions>().BindConfiguration(HttpTriggers.HttpTriggerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<HttpTriggers.HttpTriggerRouteTable>();
        services.TryAddSingleton<HttpTriggers.HttpTriggerWaiters>();
        services.AddHostedService<HttpTriggers.HttpTriggerRefresh>();
        return builder;
    }

    /// <summary>Maps <c>/api/*</c>, <c>/health</c>, <c>/health/ready</c>, <c>/openapi/v1.json</c>, the API reference at <c>/docs</c> and the designer at <c>/</c>.</summary>
    public static WebApplication MapTaskFlowServer(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDesignerAssets();
        app.UseAuthentication();
        app.UseMiddleware<AuditMiddleware>();
        app.UseAuthorization();
        app.UseMcpGatewayDirectCalls(McpEndpoints.Gateway);

        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();

        app.MapDefinitionsApi();
        app.MapElsaImportApi();
        app.MapRunApi();
        app.MapInstancesApi();
        app.MapBulkOperationsApi();
        app.MapInstanceEventsApi();
        app.MapEventsApi();
        app.MapApprovalsApi();
        app.MapAgentTasksApi();
        app.MapActivitiesApi();
        app.MapSamplesApi();
        app.MapMcpServersApi();
        app.MapWorkspacesApi();
        McpEndpoints.Map(app);
        app.MapValidationApi();
        app.MapDecomposeApi();
        app.MapAuditApi();
        HttpTriggers.HttpTriggerEndpoints.MapHttpTriggers(app);

        // Prometheus text format, from this host's meters only (see MetricsExport).
        var export = Metrics.MetricsExport.Start(app.Services);
        app.Lifetime.ApplicationStopped.Register(export.Dispose);
        app.MapMetrics("/metrics", export.Registry).RequireRole(ApiRole.Metrics);

        // The dashboard sits behind the API key like every route; Hangfire's own filter (local
        // requests only) is replaced by that, so a remote operator with the key can use it.
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], AsyncAuthorization = [], DashboardTitle = "TaskFlow jobs" }).RequireRole(ApiRole.Admin);

        app.MapOpenApi();
        // Scalar marks its script and icon endpoints anonymous; the reference sits behind the key
        // like every other route, so that metadata is taken off again.
        app.MapScalarApiReference("/docs", o => o.WithTitle("TaskFlow API"))
            .Finally(endpoint =>
            {
                foreach (var anonymous in endpoint.Metadata.OfType<IAllowAnonymous>().ToList())
                {
                    endpoint.Metadata.Remove(anonymous);
                }
            });
        app.MapDesigner();
        return app;
    }

    private static ApiKeyRing CreateKeyRing(IServiceProvider services)
    {
        if (services.GetRequiredService<IOptions<TaskFlowServerOptions>>().Value.CreateKeyRing() is { } configured)
        {
            return configured;
        }

        var dataDirectory = services.GetRequiredService<IOptions<TaskFlowEngineOptions>>().Value.DataDirectory;
        return new ApiKeyRing([EmbeddedApiKey.LoadOrCreate(dataDirectory).Key]);
    }

    private sealed class ServerOptionsValidator : IValidateOptions<TaskFlowServerOptions>
    {
        public ValidateOptionsResult Validate(string? name, TaskFlowServerOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
