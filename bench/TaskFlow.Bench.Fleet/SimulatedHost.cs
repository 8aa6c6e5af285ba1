using TaskFlow.Server.Mcp.LoadTest;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// The bench's child process that serves the simulated servers (TaskFlow's own
/// <see cref="SimulatedMcpServers"/>, the same the <c>taskflow mcp loadtest</c> command uses), so
/// the bench's own memory is the router's.
/// </summary>
internal static class SimulatedHost
{
    public const string Mode = "serve-sim";
    public const string ListeningPrefix = "listening ";

    public static string ServerName(int index) => SimulatedMcpServers.ServerName(index);

    public static string ToolName(int server, int tool) => SimulatedMcpServers.ToolName(server, tool);

    public static async Task<int> RunAsync(FleetOptions options, CancellationToken cancellationToken)
    {
        await using var servers = await SimulatedMcpServers.StartAsync(options.Servers, options.Tools, cancellationToken);
        Console.WriteLine(ListeningPrefix + servers.BaseAddress.ToString().TrimEnd('/'));

        // The parent ends this process by closing its stdin (or killing it).
        await Console.In.ReadToEndAsync(cancellationToken);
        return 0;
    }
}
