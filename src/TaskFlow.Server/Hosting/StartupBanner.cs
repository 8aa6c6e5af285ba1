using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Hosting;
using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Hosting;

/// <summary>
/// Creates the key ring at start (so an embedded key file exists before the first request) and,
/// once the server listens, prints where it runs. With a generated key the URL carries it, as
/// Jupyter prints its token URL. It goes to the console only, never to the log pipeline, which
/// may ship lines to other systems.
/// </summary>
internal sealed class StartupBanner(
    ApiKeyRing keys,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<TaskFlowServerOptions> serverOptions,
    IOptions<TaskFlowEngineOptions> engineOptions) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = keys;
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            return;
        }

        var url = address.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://[::1]", StringComparison.Ordinal).TrimEnd('/');
        if (serverOptions.Value.HasKeys)
        {
            var sources = new[]
            {
                serverOptions.Value.ApiKeys.Count > 0 ? "TaskFlow:Server:ApiKeys" : null,
                serverOptions.Value.Keys.Count > 0 ? "TaskFlow:Server:Keys" : null,
                string.IsNullOrWhiteSpace(serverOptions.Value.KeysFile) ? null : $"the keys file {Path.GetFullPath(serverOptions.Value.KeysFile)}",
            };
            Console.WriteLine($"TaskFlow is running at {url}/ (API keys from {string.Join(" and ", sources.OfType<string>())})");
            if (keys.FileProblem is { } problem)
            {
                Console.Error.WriteLine(problem);
            }

            return;
        }

        var path = EmbeddedApiKey.PathIn(engineOptions.Value.DataDirectory);
        var key = File.ReadAllText(path).Trim();
        Console.WriteLine($"TaskFlow is running at {url}/?key={key}");
        Console.WriteLine($"The API key is in {path}; send it as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'.");
    }
}
