using System.Diagnostics;
using ModelContextProtocol.Client;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// The same servers started directly with the plain SDK client, all in parallel: connect, then
/// list tools. The floor the router's cold listing is compared with, in the same run.
/// </summary>
internal sealed class DirectFleet : IAsyncDisposable
{
    private readonly List<McpClient> _clients;

    private DirectFleet(List<McpClient> clients, IReadOnlyList<ServerStart> starts, TimeSpan elapsed)
    {
        _clients = clients;
        Starts = starts;
        Elapsed = elapsed;
    }

    public IReadOnlyList<ServerStart> Starts { get; }

    /// <summary>From the first start to the last tool list.</summary>
    public TimeSpan Elapsed { get; }

    public static async Task<DirectFleet> StartAsync(FleetLaunch launch, IReadOnlyList<FleetServer> servers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clients = new List<McpClient>();
        var started = Stopwatch.GetTimestamp();
        var starts = await Task.WhenAll(servers.Select(async server =>
        {
            var own = Stopwatch.GetTimestamp();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                var client = await McpClient.CreateAsync(launch.DirectTransport(server), cancellationToken: deadline.Token);
                lock (clients)
                {
                    clients.Add(client);
                }

                var tools = await client.ListToolsAsync(cancellationToken: deadline.Token);
                return new ServerStart(server.Name, Stopwatch.GetElapsedTime(own), tools.Count, client.NegotiatedProtocolVersion, null);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                return new ServerStart(server.Name, Stopwatch.GetElapsedTime(own), 0, null, ex.Message);
            }
        }));
        return new DirectFleet(clients, starts, Stopwatch.GetElapsedTime(started));
    }

    public async ValueTask DisposeAsync() => await Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask()));
}
