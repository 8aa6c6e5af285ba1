using TaskFlow.Bench.Mcp;

// Usage: dotnet run -c Release --project bench/TaskFlow.Bench.Mcp -- [--calls 10000] [--warmup 5000]
//        [--transport stdio|http|gateway|both|all] [--servers DIR] [--rounds 3]
// The in-process router against a direct SDK client on the same upstream (server-everything's
// echo), over stdio and Streamable HTTP; the gateway (/mcp over HTTP) against a direct stdio call;
// then the route decision alone. Exits 1 when a call failed,
// 2 on a bad command line.
McpBenchOptions options;
try
{
    options = McpBenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(McpBenchOptions.Usage);
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
    return await McpBench.RunAsync(options, stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("stopped; every server process started here has been ended.");
    return 130;
}
