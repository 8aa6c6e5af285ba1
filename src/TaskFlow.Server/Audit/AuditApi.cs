using System.Globalization;
using TaskFlow.Engine.Persistence;
using TaskFlow.Server.Api;
using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Audit;

/// <summary><c>GET /api/audit</c>: the audit trail, newest first, filtered; admins only.</summary>
internal static class AuditApi
{
    public static void MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ListAsync)
            .WithTags("Audit")
            .RequireRole(ApiRole.Admin)
            .WithSummary("Who did what: every request that may change something, newest first. Filters: actor (the key's name), action (e.g. instance.cancel), target (a definition, instance, approval or event), since and until (ISO 8601), before (the cursor 'next' of the previous page), take (1-1000, default 100).")
            .Produces<AuditPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ListAsync(string? actor, string? action, string? target, string? since, string? until, string? before, int? take, EngineStore store, CancellationToken cancellationToken)
    {
        if (take is < 1 or > 1000)
        {
            return ApiProblems.BadRequest("Invalid take.", $"take must be between 1 and 1000; it was {take}.");
        }

        if (!TryTime(since, out var from))
        {
            return ApiProblems.BadRequest("Invalid since.", $"since '{since}' is not a date and time (ISO 8601, e.g. 2026-12-04T10:00:00Z).");
        }

        if (!TryTime(until, out var to))
        {
            return ApiProblems.BadRequest("Invalid until.", $"until '{until}' is not a date and time (ISO 8601, e.g. 2026-12-04T10:00:00Z).");
        }

        long? cursor = null;
        if (before is not null)
        {
            if (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return ApiProblems.BadRequest("Invalid before.", $"before '{before}' is not a cursor: pass the 'next' value of the previous page.");
            }

            cursor = parsed;
        }

        var size = take ?? 100;
        var entries = await store.ReadAuditAsync(new AuditQuery(actor, action, target, from, to, cursor, size), cancellationToken);
        return TypedResults.Ok(new AuditPage(entries, entries.Count == size ? entries[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }

    private static bool TryTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }
}

/// <summary>A page of the audit trail; <c>next</c> is the cursor of the following page, null on the last.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? Next);
