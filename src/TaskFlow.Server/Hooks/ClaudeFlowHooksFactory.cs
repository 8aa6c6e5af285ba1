using System.Runtime.CompilerServices;

using TaskFlow.Hooks;

namespace TaskFlow.Server.Hooks;

/// <summary>Builds the claude-flow upstream only when one is named, so the plain hook path never loads the router.</summary>
internal static class ClaudeFlowHooksFactory
{
    /// <summary>TaskFlow:Hooks:ClaudeFlowServer as an environment variable.</summary>
    public const string ServerVariable = "TaskFlow__Hooks__ClaudeFlowServer";

    /// <exception cref="InvalidOperationException">The server is named but not configured, or the router configuration is invalid.</exception>
    public static IClaudeFlowHooks? Create(string? server, Action<string> note) => server is null ? null : CreateRouted(server, note);

    // Not inlined, so that the router's types are loaded only when this runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IClaudeFlowHooks CreateRouted(string server, Action<string> note)
    {
        try
        {
            return RouterClaudeFlowHooks.Create(server, note);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or InvalidOperationException))
        {
            throw new InvalidOperationException($"The MCP configuration for claude-flow's hooks is invalid: {ex.Message}", ex);
        }
    }
}
