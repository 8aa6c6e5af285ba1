using System.Text.Json.Nodes;

namespace TaskFlow.Hooks;

/// <summary>
/// claude-flow's own pre-task and post-task hooks (its MCP tools <c>hooks_pre-task</c> and
/// <c>hooks_post-task</c>), asked alongside TaskFlow's so that its learning keeps working. Only
/// built when an upstream is configured (<c>TaskFlow:Hooks:ClaudeFlowServer</c>).
/// </summary>
internal interface IClaudeFlowHooks : IAsyncDisposable
{
    /// <summary>claude-flow's answer, or an object with <c>error</c> when it could not be asked.</summary>
    Task<JsonNode?> PreTaskAsync(string taskId, string description, CancellationToken cancellationToken = default);

    Task<JsonNode?> PostTaskAsync(string taskId, bool success, double? quality, string? agent, CancellationToken cancellationToken = default);
}
