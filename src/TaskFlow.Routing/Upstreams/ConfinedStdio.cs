namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// The standard input and output of a server that its workspace started itself (a program run in
/// a container through the engine), instead of a local process the router starts. Disposing
/// <see cref="ToServer"/> closes the server's standard input.
/// </summary>
public sealed record ConfinedStdio(Stream ToServer, Stream FromServer);
