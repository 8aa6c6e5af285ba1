namespace TaskFlow.Bench.Fleet;

/// <summary>Everything the fleet run measured, for the table beside the report's projections.</summary>
internal sealed class FleetFigures
{
    /// <summary>The 21 started directly: first at the start of the run, again at its end.</summary>
    public List<TimeSpan> DirectColds { get; } = [];

    /// <summary>The 21's cold listing through the router: in the main phase, again near the end.</summary>
    public List<TimeSpan> RouterColds { get; } = [];

    public TimeSpan DirectSlowest { get; set; }

    public FleetMemory? DirectMemory { get; set; }

    public DiscoveryFigures? Router21 { get; set; }

    public DiscoveryFigures? Router19 { get; set; }

    public FleetMemory? Memory21 { get; set; }

    public FleetMemory? Memory19 { get; set; }

    public ThroughputFigures? Throughput21 { get; set; }

    public ThroughputFigures? Throughput19 { get; set; }

    public List<RecoveryFigures> Recoveries { get; } = [];

    public GatewayClientsFigures? GatewayClients { get; set; }
}
