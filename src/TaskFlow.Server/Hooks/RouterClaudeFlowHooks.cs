using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing;

using TaskFlow.Hooks;

namespace TaskFlow.Server.Hooks;

/// <summary>
/// claude-flow's hook tools called through TaskFlow's MCP router, on the upstream named by
/// <c>TaskFlow:Hooks:ClaudeFlowServer</c> in the router's own configuration (<c>TaskFlow:Mcp</c>,
/// from appsettings.json and TaskFlow__Mcp__* variables). claude-flow (<c>claude-flow mcp start</c>)
/// speaks protocol 2024-11-05, which the router supports. A failure is an answer with <c>error</c>,
/// noted on stderr: TaskFlow's own answer never depends on claude-flow.
/// </summary>
internal sealed class RouterClaudeFlowHooks(McpRouter router, string server, Action<string> note) : IClaudeFlowHooks
{
    public const string PreTaskTool = "hooks_pre-task";
    public const string PostTaskTool = "hooks_post-task";

    public static RouterClaudeFlowHooks Create(string server, Action<string> note)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = new McpRoutingOptions();
        configuration.GetSection(McpRoutingOptions.SectionName).Bind(options);
        if (!options.Servers.ContainsKey(server))
        {
            throw new InvalidOperationException($"TaskFlow:Hooks:ClaudeFlowServer names '{server}', which is not a server of TaskFlow:Mcp:Servers ({string.Join(", ", options.Servers.Keys)}); configure it, e.g. TaskFlow__Mcp__Servers__{server}__Command=npx with Arguments claude-flow mcp start.");
        }

        return new RouterClaudeFlowHooks(new McpRouter(Options.Create(options), new RoutingMetrics(), NullLoggerFactory.Instance, TimeProvider.System), server, note);
    }

    public Task<JsonNode?> PreTaskAsync(string taskId, string description, CancellationToken cancellationToken = default) =>
        CallAsync(PreTaskTool, new JsonObject { ["taskId"] = taskId, ["description"] = description }, cancellationToken);

    public Task<JsonNode?> PostTaskAsync(string taskId, bool success, double? quality, string? agent, CancellationToken cancellationToken = default)
    {
        var arguments = new JsonObject { ["taskId"] = taskId, ["success"] = success };
        if (quality is { } q)
        {
            arguments["quality"] = q;
        }

        if (agent is not null)
        {
            arguments["agent"] = agent;
        }

        return CallAsync(PostTaskTool, arguments, cancellationToken);
    }

    public ValueTask DisposeAsync() => router.DisposeAsync();

    private async Task<JsonNode?> CallAsync(string tool, JsonObject arguments, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await router.CallToolAsync(new McpToolCall(tool, arguments, Server: server), cancellationToken);
            var text = string.Concat(outcome.Result.Content.OfType<TextContentBlock>().Select(t => t.Text));
            JsonNode? answer;
            try
            {
                answer = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                answer = text;
            }

            if (outcome.Result.IsError == true)
            {
                note($"taskflow: claude-flow's {tool} on '{server}' answered with an error: {text}");
                return new JsonObject { ["error"] = text };
            }

            return answer;
        }
        catch (Exception ex) when (ex is McpRoutingException or TimeoutException or IOException or InvalidOperationException)
        {
            note($"taskflow: claude-flow's {tool} on '{server}' could not be called: {ex.Message}");
            return new JsonObject { ["error"] = ex.Message };
        }
    }
}
