namespace TaskFlow.Server.Tests.Deployment;

/// <summary>
/// What the process in one compose service's container gets: the image's ENTRYPOINT with the
/// service's command (or the image's CMD), and its environment in the order Docker layers it:
/// the base image's variables, the Dockerfile's final-stage ENV, then the service's environment.
/// </summary>
internal sealed record ContainerProcess(string Service, IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Command, Dictionary<string, string> Environment)
{
    /// <summary>
    /// Set by mcr.microsoft.com/dotnet/aspnet:10.0 (its runtime-deps base), which is not pulled
    /// here: written down from that image's Dockerfile so the run sees the variables a container would.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> BaseImageEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["APP_UID"] = "1654",
        ["ASPNETCORE_HTTP_PORTS"] = "8080",
        ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
    };

    public static ContainerProcess For(ComposeFile compose, DockerfileModel dockerfile, string service, IReadOnlyDictionary<string, string> variables)
    {
        var final = dockerfile.Final;
        var entrypoint = final.Last("ENTRYPOINT") is { } e ? DockerfileModel.ExecForm(e.Arguments, e.Line) : throw new Xunit.Sdk.XunitException("The Dockerfile's final stage has no ENTRYPOINT.");
        var command = compose.Command(service, variables)
            ?? (final.Last("CMD") is { } c ? DockerfileModel.ExecForm(c.Arguments, c.Line) : []);

        var environment = new Dictionary<string, string>(BaseImageEnvironment, StringComparer.Ordinal);
        foreach (var (key, value) in final.Environment())
        {
            environment[key] = value;
        }

        foreach (var (key, value) in compose.Environment(service, variables))
        {
            environment[key] = value ?? throw new Xunit.Sdk.XunitException($"services.{service}.environment.{key} has no value: it would come from the host's environment, which docs/deployment.md does not ask for.");
        }

        return new ContainerProcess(service, entrypoint, command, environment);
    }

    /// <summary>Replaces a variable that must be there (a container path or address that differs outside a container).</summary>
    public void Replace(string name, Func<string, string> value)
    {
        Assert.True(Environment.TryGetValue(name, out var current), $"{Service}: {name} is not set by the Dockerfile or the compose file.");
        Environment[name] = value(current!);
    }
}
