using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing;
using TaskFlow.Server.Audit;
using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Api;

/// <summary><c>/api/mcp/servers</c>: the upstream fleet's state, its tools, one call to try a tool, and staged rollouts.</summary>
internal static class McpServersApi
{
    public static void MapMcpServersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/mcp").WithTags("MCP");
        group.MapGet("/servers", (McpRouter router) => TypedResults.Ok(router.GetStatus()))
            .WithSummary("Every upstream MCP server: state, circuit breaker, tier, latency of the last health check, connections in use, negotiated protocol and known tools.")
            .Produces<McpServerStatus[]>();
        group.MapGet("/tools", ListToolsAsync)
            .WithSummary("Every tool of every upstream server with its title, description and input JSON Schema; starts the servers whose tools are not known yet. A server that cannot be listed is left out.")
            .Produces<McpToolResponse[]>();
        group.MapPost("/tools/call", CallToolAsync)
            .Audited("tool.call")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Calls a tool once through the router, as an mcp.call node would (rules, breakers and tiers apply), and returns its result. Body: { \"tool\": \"echo\", \"server\"?: \"everything\", \"arguments\"?: { ... } }. A tool error is a result with isError; a call that reached no server is 502.")
            .Produces<McpToolCallResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status502BadGateway);
        group.MapPut("/rollouts", SetRollout)
            .Audited("rollout.set")
            .WithSummary("Changes a rule's staged rollout share at once (0 rolls back). Body: { \"pattern\": \"memory.*\", \"percent\": 15 }.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ListToolsAsync(McpRouter router, CancellationToken cancellationToken)
    {
        var tools = await router.ListToolsAsync(cancellationToken);
        return TypedResults.Ok(tools
            .Select(t => new McpToolResponse(t.Server, t.Tool.Name, t.Tool.Title, t.Tool.Description, JsonNode.Parse(t.Tool.InputSchema.GetRawText())))
            .ToArray());
    }

    private static async Task<IResult> CallToolAsync(McpToolCallRequest request, McpRouter router, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Tool))
        {
            return ApiProblems.BadRequest("Invalid tool call.", "tool is missing; name the tool to call, e.g. { \"tool\": \"echo\", \"arguments\": { ... } }.");
        }

        if (request.Server is { } server && router.TierOf(server) is null)
        {
            return ApiProblems.BadRequest("Invalid tool call.", $"There is no MCP server '{server}'; GET /api/mcp/servers lists them.");
        }

        McpCallOutcome outcome;
        try
        {
            var tier = request.Server is { } named ? router.TierOf(named) ?? 3 : 3;
            outcome = await router.CallToolAsync(new McpToolCall(request.Tool, request.Arguments, tier, request.Server), cancellationToken);
        }
        catch (McpRoutingException ex)
        {
            return TypedResults.Problem(title: "The tool call reached no server.", detail: ex.Message, statusCode: StatusCodes.Status502BadGateway);
        }

        var result = outcome.Result;
        return TypedResults.Ok(new McpToolCallResponse(
            outcome.Server,
            request.Tool,
            result.IsError == true,
            JsonSerializer.SerializeToNode(result.Content, McpJsonUtilities.DefaultOptions),
            result.StructuredContent is { } structured ? JsonNode.Parse(structured.GetRawText()) : null,
            string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text))));
    }

    private static IResult SetRollout(RolloutRequest request, McpRouter router)
    {
        if (request.Percent is < 0 or > 100 || double.IsNaN(request.Percent))
        {
            return ApiProblems.BadRequest("Invalid rollout.", $"percent is {request.Percent}; give a share from 0 to 100.");
        }

        return router.SetRolloutPercent(request.Pattern, request.Percent)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"No routing rule with pattern '{request.Pattern}' has a rollout.");
    }
}

/// <summary>A new share for a rule's staged rollout.</summary>
public sealed record RolloutRequest(string Pattern, double Percent);

/// <summary>One tool of one upstream server, with the JSON Schema of its arguments.</summary>
public sealed record McpToolResponse(string Server, string Name, string? Title, string? Description, JsonNode? InputSchema);

/// <summary>A tool to call once: by name, on a server or by the routing rules, with arguments.</summary>
public sealed record McpToolCallRequest(string Tool, string? Server, JsonObject? Arguments);

/// <summary>What a tried tool returned, and which server answered.</summary>
public sealed record McpToolCallResponse(string Server, string Tool, bool IsError, JsonNode? Content, JsonNode? StructuredContent, string Text);
