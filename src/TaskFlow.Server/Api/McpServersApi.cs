using TaskFlow.Routing;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary><c>/api/mcp/servers</c>: the upstream fleet's state, and staged rollouts.</summary>
internal static class McpServersApi
{
    public static void MapMcpServersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/mcp").WithTags("MCP");
        group.MapGet("/servers", (McpRouter router) => TypedResults.Ok(router.GetStatus()))
            .WithSummary("Every upstream MCP server: state, circuit breaker, tier, latency of the last health check, connections in use, negotiated protocol and known tools.")
            .Produces<McpServerStatus[]>();
        group.MapPut("/rollouts", SetRollout)
            .Audited("rollout.set")
            .WithSummary("Changes a rule's staged rollout share at once (0 rolls back). Body: { \"pattern\": \"memory.*\", \"percent\": 15 }.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
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
