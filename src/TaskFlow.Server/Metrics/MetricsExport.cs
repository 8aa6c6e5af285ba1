using Prometheus;
using TaskFlow.Engine.Diagnostics;
using TaskFlow.Routing;

namespace TaskFlow.Server.Metrics;

/// <summary>
/// What a TaskFlow process exports at <c>/metrics</c> in Prometheus' text format: its engine's
/// meter (<c>taskflow_engine_*</c>), its MCP router's (<c>mcp_*</c>, the reference report's
/// names), the .NET process's own figures (<c>process_cpu_seconds_total</c>,
/// <c>process_working_set_bytes</c>, ...), and what a ratio of those needs:
/// <c>taskflow_process_memory_limit_bytes</c> (the memory the runtime may use, a container's limit
/// included) and <c>taskflow_process_cpu_count</c>. The server and <c>taskflow worker</c> export
/// the same, so one dashboard covers both.
/// </summary>
/// <remarks>
/// Each host gets a registry of its own and exports only its own meters, so two hosts in one
/// process (as in tests) do not mix their counts.
/// </remarks>
public sealed class MetricsExport : IDisposable
{
    private readonly IDisposable _adapter;

    private MetricsExport(CollectorRegistry registry, IDisposable adapter)
    {
        Registry = registry;
        _adapter = adapter;
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Starts collecting the host's meters into a registry of their own.</summary>
    public static MetricsExport Start(IServiceProvider services)
    {
        var registry = global::Prometheus.Metrics.NewCustomRegistry();
        var engineMeter = services.GetRequiredService<EngineMetrics>().Meter;
        var mcpMeter = services.GetRequiredService<RoutingMetrics>().Meter;
        var adapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = global::Prometheus.Metrics.WithCustomRegistry(registry),
            InstrumentFilterPredicate = instrument => ReferenceEquals(instrument.Meter, engineMeter) || ReferenceEquals(instrument.Meter, mcpMeter),
        });
        services.GetRequiredService<EngineMetrics>().PublishZeros();
        services.GetRequiredService<RoutingMetrics>().PublishZeros(services.GetRequiredService<McpRouter>());
        DotNetStats.Register(registry);
        var factory = global::Prometheus.Metrics.WithCustomRegistry(registry);
        var memoryLimit = factory.CreateGauge("taskflow_process_memory_limit_bytes", "Memory the .NET runtime may use in this process: the machine's, or a container's limit when one is set.");
        var cpus = factory.CreateGauge("taskflow_process_cpu_count", "Processors this process may use.");
        registry.AddBeforeCollectCallback(() =>
        {
            memoryLimit.Set(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
            cpus.Set(Environment.ProcessorCount);
        });
        return new MetricsExport(registry, adapter);
    }

    public void Dispose() => _adapter.Dispose();
}
