using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Scripting;

namespace TaskFlow.Engine.Hosting;

/// <summary>
/// Applies <c>TaskFlow:JavaScript</c> to the process's JavaScript engine pool before any worker
/// starts; invalid limits stop the start with one message listing every problem.
/// </summary>
internal sealed class JavaScriptSetup(IOptions<JavaScriptOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        JavaScriptEngines.Configure(options.Value);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
