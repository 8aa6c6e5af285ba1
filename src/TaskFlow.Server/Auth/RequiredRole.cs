using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace TaskFlow.Server.Auth;

/// <summary>Endpoint metadata: the role a route needs, where the default (viewer to read, admin for anything else) does not fit.</summary>
public sealed record RequiredRole(ApiRole Role);

/// <summary>The requirement of the fallback policy: the key's role satisfies the route's (see <see cref="RoleForRoute"/>).</summary>
internal sealed class RoleRequirement : IAuthorizationRequirement;

/// <summary>
/// Decides a route's role: its <see cref="RequiredRole"/> metadata, else <see cref="ApiRole.Viewer"/>
/// for GET, HEAD and OPTIONS and <see cref="ApiRole.Admin"/> for every other method. A route added
/// without thought is therefore readable by viewers and changeable by admins only.
/// </summary>
internal sealed class RoleForRoute : AuthorizationHandler<RoleRequirement>
{
    public static ApiRole Needed(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<RequiredRole>()?.Role
        ?? (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method) ? ApiRole.Viewer : ApiRole.Admin);

    public static ApiRole? Held(System.Security.Claims.ClaimsPrincipal user) =>
        Enum.TryParse<ApiRole>(user.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value, ignoreCase: true, out var role) ? role : null;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        if (http is not null && Held(context.User) is { } held && held.Satisfies(Needed(http)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Answers a refused role with a problem naming the role the route needs and the key's.</summary>
internal sealed class RoleProblemResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.User.Identity?.IsAuthenticated == true)
        {
            var needed = RoleForRoute.Needed(context);
            var held = RoleForRoute.Held(context.User);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Forbidden",
                    Detail = $"{context.Request.Method} {context.Request.Path} needs the {needed.Name()} role; the key '{context.User.Identity.Name}' has the {held?.Name() ?? "no"} role.",
                },
            });
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}

/// <summary>Marks routes with the role they need.</summary>
public static class RequiredRoleExtensions
{
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, ApiRole role)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(new RequiredRole(role)));
        return builder;
    }
}
