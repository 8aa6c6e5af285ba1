using TaskFlow.Workspaces;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary><c>/api/workspaces</c>: the isolated workspaces activities run in.</summary>
internal static class WorkspacesApi
{
    public static void MapWorkspacesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workspaces").WithTags("Workspaces");
        group.MapGet("/", async (WorkspaceManager workspaces, CancellationToken cancellationToken) =>
            {
                await workspaces.EnsureLoadedAsync(cancellationToken);
                return TypedResults.Ok(workspaces.List().Select(WorkspaceResponse.From));
            })
            .WithSummary("Every workspace of this server: isolation, limits, disk in use, owner (instance and node), expiry and state.")
            .Produces<WorkspaceResponse[]>();
        group.MapGet("/{id}", async (string id, WorkspaceManager workspaces, CancellationToken cancellationToken) =>
            {
                await workspaces.EnsureLoadedAsync(cancellationToken);
                return workspaces.Get(id) is { } view ? Results.Ok(WorkspaceResponse.From(view)) : ApiProblems.NotFound($"No workspace has the id '{id}'.");
            })
            .WithSummary("One workspace: isolation, limits, disk in use, owner, expiry and state.")
            .Produces<WorkspaceResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", Destroy)
            .Audited("workspace.delete")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Destroys a workspace: its sandbox at once; its files at once (cleanup=immediate, the default), at the next lazy cleanup (lazy) or when it expires (scheduled).")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Destroy(string id, string? cleanup, WorkspaceManager workspaces, CancellationToken cancellationToken)
    {
        CleanupMode? mode = null;
        if (cleanup is not null)
        {
            if (!Enum.TryParse<CleanupMode>(cleanup, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return ApiProblems.BadRequest("Invalid cleanup mode.", $"cleanup is '{cleanup}'; use immediate, lazy or scheduled.");
            }

            mode = parsed;
        }

        return await workspaces.DestroyAsync(id, mode, cancellationToken)
            ? TypedResults.NoContent()
            : ApiProblems.NotFound($"No workspace has the id '{id}'.");
    }
}

/// <summary>A workspace as the API shows it.</summary>
public sealed record WorkspaceResponse(
    string Id,
    string Isolation,
    string State,
    string? Image,
    WorkspaceLimits Limits,
    WorkspaceUsage Usage,
    WorkspaceOwner Owner,
    string Cleanup,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? ReleasedAt)
{
    public static WorkspaceResponse From(WorkspaceView view)
    {
        var w = view.Workspace;
        return new WorkspaceResponse(
            w.Id,
            w.Isolation.ToString().ToLowerInvariant(),
            w.State.ToString().ToLowerInvariant(),
            w.Image,
            w.Limits,
            new WorkspaceUsage(view.DiskBytes, view.CommandsRunning),
            w.Owner,
            w.Cleanup.ToString().ToLowerInvariant(),
            w.CreatedAt,
            w.ExpiresAt,
            w.ReleasedAt);
    }
}

/// <summary>What a workspace uses now.</summary>
public sealed record WorkspaceUsage(long DiskBytes, int CommandsRunning);
