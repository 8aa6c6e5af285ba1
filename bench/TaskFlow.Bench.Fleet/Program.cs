using TaskFlow.Bench.Fleet;

// Usage: see FleetOptions.Usage. Exits 1 when the run could not be made (a server missing, a
// misrouted call), 2 on a bad command line. A slow figure never fails the bench.
FleetOptions options;
try
{
    options = FleetOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(FleetOptions.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    return options.Mode switch
    {
        "simulate" => await SimulationRun.RunAsync(options, stop.Token),
        "loadtest" => await TaskFlow.Server.Mcp.LoadTest.McpLoadTest.RunAsync(new(options.Servers, options.Duration, options.Tps), Console.Out, stop.Token),
        SimulatedHost.Mode => await SimulatedHost.RunAsync(options, stop.Token),
        _ => await FleetRun.RunAsync(options, stop.Token),
    };
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("stopped; the servers started here are being closed.");
    return 130;
}
catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
