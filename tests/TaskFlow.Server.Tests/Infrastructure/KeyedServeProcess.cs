using TaskFlow.Server.Tests.Decomposition;
using TaskFlow.Server.Tests.Deployment;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Infrastructure;

/// <summary>
/// A real <c>taskflow serve</c> on a free loopback port (process workspaces, no warm pool, the
/// test key), with a proxy in front of it that adds the key to every request: for clients that
/// cannot send one, such as the MCP conformance suite. Disposing stops both and deletes its data.
/// </summary>
internal sealed class KeyedServeProcess : IAsyncDisposable
{
    private readonly TaskFlowProcess _server;
    private readonly KeyAddingProxy _proxy;
    private readonly (string Folder, Func<Task> Delete) _data;

    private KeyedServeProcess(TaskFlowProcess server, Uri direct, KeyAddingProxy proxy, (string Folder, Func<Task> Delete) data)
    {
        _server = server;
        DirectAddress = direct;
        _proxy = proxy;
        _data = data;
    }

    /// <summary>The proxy's address: requests sent here reach the server with the key.</summary>
    public Uri Address => _proxy.Address;

    /// <summary>The server's own address: requests sent here need the key (<see cref="TaskFlowApp.Key"/>).</summary>
    public Uri DirectAddress { get; }

    /// <param name="settings">More environment variables for the server.</param>
    public static async Task<KeyedServeProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var data = TestDatabases.CreateFolder("taskflow-keyed-serve-");
        var port = TaskFlowProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["TaskFlow__Engine__DataDirectory"] = data.Folder,
            ["TaskFlow__Server__Urls"] = $"http://127.0.0.1:{port}",
            ["TaskFlow__Server__ApiKeys__0"] = TaskFlowApp.Key,
            ["TaskFlow__Workspaces__WarmPoolSize"] = "0",
            ["TaskFlow__Workspaces__DefaultIsolation"] = "Process",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var server = TaskFlowProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "taskflow.dll"), "serve"], environment, data.Folder);
        try
        {
            var upstream = new Uri($"http://127.0.0.1:{port}");
            using (var probe = new HttpClient { BaseAddress = upstream })
            {
                await server.WaitReadyAsync(probe, TimeSpan.FromSeconds(90));
            }

            return new KeyedServeProcess(server, upstream, await KeyAddingProxy.StartAsync(upstream, TaskFlowApp.Key), data);
        }
        catch
        {
            await server.StopAsync(TimeSpan.FromSeconds(10));
            await server.DisposeAsync();
            await data.Delete();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _server.StopAsync(TimeSpan.FromSeconds(10));
        await _server.DisposeAsync();
        await _data.Delete();
    }
}
