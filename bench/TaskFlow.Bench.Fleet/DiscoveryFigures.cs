namespace TaskFlow.Bench.Fleet;

/// <summary>A router's first (cold) listing of the fleet, and warm re-lists.</summary>
internal sealed record DiscoveryFigures(
    int Servers,
    int ServersListing,
    TimeSpan Cold,
    int Tools,
    int ClientSafeNames,
    int ListingBytes,
    double RouterWarmMs,
    double GatewayWarmMs,
    double GatewayWarmMaxMs,
    string Protocols)
{
    public string Listing => $"{ServersListing} of {Servers} servers listed {Tools} tools ({ListingBytes / 1024} KB as JSON), {ClientSafeNames} of {Tools} names match ^[a-zA-Z0-9_-]{{1,64}}$";
}
