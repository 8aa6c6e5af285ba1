namespace TaskFlow.Bench.Fleet;

/// <summary>Everything the fleet run measured, for the table beside the report's projections.</summary>
internal sealed class FleetFigures
{
    public TimeSpan DirectCold { get; set; }

    public TimeSpan DirectSlowest { get; set; }

    public FleetMemory? DirectMemory { get; set; }

    public DiscoveryFigures? Router21 { get; set; }

    public DiscoveryFigures? Router19 { get; set; }

    public FleetMemory? Memory21 { get; set; }

    public FleetMemory? Memory19 { get; set; }

    public ThroughputFigures? Throughput21 { get; set; }

    public ThroughputFigures? Throughput19 { get; set; }

    public List<RecoveryFigures> Recoveries { get; } = [];
}
