using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Auth;

/// <summary>
/// Scoped API keys: every route of the server, each role against it. The table below names the
/// role every route needs; a route missing from it fails the test, so a new route gets a role on
/// purpose.
/// </summary>
public sealed class RoleRouteTests
{
    private static readonly Dictionary<ApiRole, string> Keys = new()
    {
        [ApiRole.Admin] = "admin-key-0123456789abcdef",
        [ApiRole.Operator] = "operator-key-0123456789abcdef",
        [ApiRole.Viewer] = "viewer-key-0123456789abcdef",
        [ApiRole.Metrics] = "metrics-key-0123456789abcdef",
    };

    /// <summary>The role each route needs, by "METHOD pattern".</summary>
    private static readonly Dictionary<string, ApiRole> Table = new(StringComparer.Ordinal)
    {
        ["GET /"] = ApiRole.Viewer,
        ["GET /metrics"] = ApiRole.Metrics,
        ["GET /hangfire/{**path}"] = ApiRole.Admin,
        ["GET /openapi/{documentName}.json"] = ApiRole.Viewer,
        ["GET /docs/{documentName?}"] = ApiRole.Viewer,
        ["GET /docs/scalar.js"] = ApiRole.Viewer,
        ["GET /docs/scalar.aspnetcore.js"] = ApiRole.Viewer,
        ["GET /docs/favicon.svg"] = ApiRole.Viewer,
        ["GET /api/definitions/"] = ApiRole.Viewer,
        ["GET /api/definitions/{id}"] = ApiRole.Viewer,
        ["GET /api/definitions/{id}/versions"] = ApiRole.Viewer,
        ["POST /api/definitions/"] = ApiRole.Admin,
        ["PUT /api/definitions/{id}"] = ApiRole.Admin,
        ["POST /api/definitions/{id}/publish"] = ApiRole.Admin,
        ["DELETE /api/definitions/{id}"] = ApiRole.Admin,
        ["POST /api/definitions/import/elsa"] = ApiRole.Admin,
        ["POST /api/definitions/{id}/run"] = ApiRole.Operator,
        ["POST /api/validate"] = ApiRole.Viewer,
        ["GET /api/instances/"] = ApiRole.Viewer,
        ["GET /api/instances/{id}"] = ApiRole.Viewer,
        ["GET /api/instances/{id}/journal"] = ApiRole.Viewer,
        ["GET /api/instances/{id}/events"] = ApiRole.Viewer,
        ["POST /api/instances/{id}/cancel"] = ApiRole.Operator,
        ["POST /api/instances/{id}/nodes/{nodeId}/retry"] = ApiRole.Operator,
        ["POST /api/instances/bulk/{kind}"] = ApiRole.Operator,
        ["GET /api/instances/bulk/{operationId}"] = ApiRole.Viewer,
        ["GET /api/approvals"] = ApiRole.Viewer,
        ["POST /api/approvals/{id}"] = ApiRole.Operator,
        ["GET /api/agent-tasks"] = ApiRole.Viewer,
        ["GET /api/agent-tasks/{id}"] = ApiRole.Viewer,
        ["POST /api/agent-tasks/{id}/claim"] = ApiRole.Operator,
        ["POST /api/agent-tasks/{id}/heartbeat"] = ApiRole.Operator,
        ["POST /api/agent-tasks/{id}/complete"] = ApiRole.Operator,
        ["POST /api/agent-tasks/{id}/fail"] = ApiRole.Operator,
        ["POST /api/events/{name}"] = ApiRole.Operator,
        ["GET /api/events/waiting"] = ApiRole.Viewer,
        ["GET /api/activities"] = ApiRole.Viewer,
        ["GET /api/mcp/servers"] = ApiRole.Viewer,
        ["GET /api/mcp/tools"] = ApiRole.Viewer,
        ["POST /api/mcp/tools/call"] = ApiRole.Operator,
        ["GET /api/samples/"] = ApiRole.Viewer,
        ["GET /api/samples/{id}"] = ApiRole.Viewer,
        ["PUT /api/mcp/rollouts"] = ApiRole.Admin,
        ["GET /api/workspaces/"] = ApiRole.Viewer,
        ["GET /api/workspaces/{id}"] = ApiRole.Viewer,
        ["DELETE /api/workspaces/{id}"] = ApiRole.Operator,
        ["POST /api/decompose"] = ApiRole.Operator,
        ["GET /api/audit"] = ApiRole.Admin,
        ["POST /mcp/"] = ApiRole.Operator,
        ["GET /mcp/"] = ApiRole.Operator,
        ["DELETE /mcp/"] = ApiRole.Operator,
        ["POST /mcp/workspace-isolation/"] = ApiRole.Operator,
        ["GET /mcp/workspace-isolation/"] = ApiRole.Operator,
        ["DELETE /mcp/workspace-isolation/"] = ApiRole.Operator,
        ["POST /mcp/task-decomposition/"] = ApiRole.Operator,
        ["GET /mcp/task-decomposition/"] = ApiRole.Operator,
        ["DELETE /mcp/task-decomposition/"] = ApiRole.Operator,
    };

    [Fact]
    public async Task EveryRoute_EachRole_IsAllowedOrForbiddenAsTheTableSays()
    {
        await using var app = await StartAsync();
        var routes = Routes(app);
        var unclassified = routes.Where(r => !Table.ContainsKey(r.Key)).Select(r => r.Key).ToList();
        Assert.True(unclassified.Count == 0, "Routes without a role in the table: " + string.Join(", ", unclassified));
        var gone = Table.Keys.Where(r => !routes.ContainsKey(r)).ToList();
        Assert.True(gone.Count == 0, "Routes in the table that the server does not have: " + string.Join(", ", gone));

        var wrong = new List<string>();
        foreach (var (route, (method, path)) in routes)
        {
            var needed = Table[route];
            foreach (var (role, key) in Keys)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                request.Headers.Add("X-Api-Key", key);
                if (method is "POST" or "PUT")
                {
                    request.Content = TaskFlowApp.JsonBody("{}");
                }

                using var client = app.CreateAnonymousClient();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var forbidden = response.StatusCode == HttpStatusCode.Forbidden;
                if (forbidden == role.Satisfies(needed))
                {
                    wrong.Add($"{route} with a {role.Name()} key: {(int)response.StatusCode} (the route needs {needed.Name()})");
                }
            }

            // And without a key, nothing.
            using var anonymous = app.CreateAnonymousClient();
            using var refused = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), HttpCompletionOption.ResponseHeadersRead);
            if (refused.StatusCode != HttpStatusCode.Unauthorized)
            {
                wrong.Add($"{route} without a key: {(int)refused.StatusCode}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task Forbidden_NamesTheRoleTheRouteNeeds_AndTheKey()
    {
        await using var app = await StartAsync();
        using var client = app.CreateAnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/definitions/anything");
        request.Headers.Add("X-Api-Key", Keys[ApiRole.Operator]);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await TaskFlowApp.ReadAsync(response);
        Assert.Equal("DELETE /api/definitions/anything needs the admin role; the key 'ops' has the operator role.", (string?)problem["detail"]);
    }

    private static async Task<TaskFlowApp> StartAsync() => await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>
    {
        ["TaskFlow:Server:ApiKeys:0"] = null,
        ["TaskFlow:Server:Keys:0:Name"] = "root",
        ["TaskFlow:Server:Keys:0:Role"] = "admin",
        ["TaskFlow:Server:Keys:0:Key"] = Keys[ApiRole.Admin],
        ["TaskFlow:Server:Keys:1:Name"] = "ops",
        ["TaskFlow:Server:Keys:1:Role"] = "operator",
        ["TaskFlow:Server:Keys:1:Key"] = Keys[ApiRole.Operator],
        ["TaskFlow:Server:Keys:2:Name"] = "reader",
        ["TaskFlow:Server:Keys:2:Role"] = "viewer",
        ["TaskFlow:Server:Keys:2:Key"] = Keys[ApiRole.Viewer],
        ["TaskFlow:Server:Keys:3:Name"] = "prometheus",
        ["TaskFlow:Server:Keys:3:Role"] = "metrics",
        // By its hash, as `taskflow keys add` stores one.
        ["TaskFlow:Server:Keys:3:Sha256"] = Convert.ToHexStringLower(ApiKeyRing.Hash(Keys[ApiRole.Metrics])),
    });

    /// <summary>Every route that needs a key, as "METHOD pattern" with a request path for it (route values filled in).</summary>
    private static Dictionary<string, (string Method, string Path)> Routes(TaskFlowApp app)
    {
        var routes = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                continue;
            }

            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var path = string.Join("/", pattern.Split('/').Select(segment => segment.StartsWith('{') ? (segment.StartsWith("{**", StringComparison.Ordinal) ? "jobs" : segment.Contains("documentName", StringComparison.Ordinal) ? "v1" : "x") : segment));
            if (pattern.EndsWith(".json", StringComparison.Ordinal))
            {
                path = "/openapi/v1.json";
            }

            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                routes.TryAdd($"{method} {pattern}", (method, path));
            }
        }

        return routes;
    }
}
