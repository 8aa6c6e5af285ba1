using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TaskFlow.Engine.Diagnostics;
using TaskFlow.Routing.Diagnostics;
using TaskFlow.Workspaces.Diagnostics;

namespace TaskFlow.Server.Tracing;

/// <summary>
/// OpenTelemetry tracing for every TaskFlow process (server, worker, <c>taskflow run</c>), set up
/// from the standard <c>OTEL_*</c> variables: on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) is set, or <c>OTEL_TRACES_EXPORTER</c> names an
/// exporter (<c>otlp</c>, <c>console</c>); off otherwise, and then nothing listens, so no span is
/// created and no trace parent stored. <c>OTEL_SDK_DISABLED=true</c> turns it off whatever else is set.
/// </summary>
public static class TaskFlowTracing
{
    /// <summary>The name of the MCP C# SDK's own source: its client spans carry the trace context to servers in <c>_meta</c>.</summary>
    public const string McpSdkSourceName = "Experimental.ModelContextProtocol";

    /// <summary>Every source TaskFlow's spans come from.</summary>
    public static IReadOnlyList<string> Sources { get; } = [EngineTracing.SourceName, RoutingTracing.SourceName, WorkspaceTracing.SourceName, McpSdkSourceName];

    /// <summary>The exporters the configuration asks for; empty when tracing is off.</summary>
    public static IReadOnlyList<string> Exporters(IConfiguration configuration)
    {
        if (string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        if (configuration["OTEL_TRACES_EXPORTER"] is { Length: > 0 } named)
        {
            var exporters = named.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(e => e.ToLowerInvariant()).Where(e => e != "none").Distinct().ToArray();
            var unknown = exporters.Where(e => e is not ("otlp" or "console")).ToArray();
            return unknown.Length > 0
                ? throw new InvalidOperationException($"OTEL_TRACES_EXPORTER names '{string.Join("', '", unknown)}'; TaskFlow exports traces with otlp, console or none.")
                : exporters;
        }

        return string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) && string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])
            ? []
            : ["otlp"];
    }

    /// <summary>Adds tracing when the configuration asks for it (see the type's summary).</summary>
    /// <param name="serviceName">The <c>service.name</c> when <c>OTEL_SERVICE_NAME</c> does not set one.</param>
    /// <param name="aspNetCore">Whether the process serves HTTP (a span per request, except health checks and scrapes).</param>
    public static IServiceCollection AddTaskFlowTracing(this IServiceCollection services, IConfiguration configuration, string serviceName, bool aspNetCore)
    {
        var exporters = Exporters(configuration);
        if (exporters.Count == 0)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService(serviceName, serviceVersion: typeof(TaskFlowTracing).Assembly.GetName().Version?.ToString());
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource([.. Sources]);
                if (string.IsNullOrWhiteSpace(configuration["OTEL_TRACES_SAMPLER"]))
                {
                    tracing.SetSampler(new TaskFlowSampler());
                }

                if (aspNetCore)
                {
                    tracing.AddAspNetCoreInstrumentation(o => o.Filter = context => !IsHousekeeping(context.Request.Path));
                }

                tracing.AddHttpClientInstrumentation();
                tracing.AddNpgsql();

                // Before the exporters: they see spans with secrets already masked.
                tracing.AddProcessor(provider => new SecretRedaction(provider.GetRequiredService<Engine.Secrets.SecretStore>()));
                foreach (var exporter in exporters)
                {
                    _ = exporter == "console" ? tracing.AddConsoleExporter() : tracing.AddOtlpExporter();
                }
            });
        return services;
    }

    /// <summary>Health checks and metric scrapes: frequent, and of no interest in a trace.</summary>
    private static bool IsHousekeeping(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
}
