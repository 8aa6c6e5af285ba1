using Microsoft.EntityFrameworkCore;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Instances;

/// <summary>
/// Which instances a listing or a bulk operation covers. Every member narrows (they combine
/// with AND); an empty filter matches every instance. Time bounds are inclusive at the start
/// and exclusive at the end.
/// </summary>
public sealed record InstanceFilter
{
    /// <summary>The longest correlation id accepted, in characters.</summary>
    public const int CorrelationIdMaxLength = 200;

    public string? DefinitionId { get; init; }

    public int? DefinitionVersion { get; init; }

    public InstanceStatus? Status { get; init; }

    public string? CorrelationId { get; init; }

    public DateTimeOffset? CreatedFrom { get; init; }

    public DateTimeOffset? CreatedTo { get; init; }

    public DateTimeOffset? FinishedFrom { get; init; }

    public DateTimeOffset? FinishedTo { get; init; }

    /// <summary>Case-sensitive substring of the instance's input as stored (its JSON text).</summary>
    public string? Text { get; init; }

    /// <summary>True when no member narrows: the filter matches every instance.</summary>
    public bool IsEmpty => this == new InstanceFilter();

    /// <summary>
    /// The instances of <paramref name="query"/> this filter keeps. <paramref name="postgres"/>
    /// chooses the text search's form: a LIKE the trigram index serves on PostgreSQL, a plain
    /// substring match on SQLite.
    /// </summary>
    internal IQueryable<InstanceRecord> Apply(IQueryable<InstanceRecord> query, bool postgres)
    {
        if (DefinitionId is { } definition)
        {
            query = query.Where(i => i.DefinitionId == definition);
        }

        if (DefinitionVersion is { } version)
        {
            query = query.Where(i => i.DefinitionVersion == version);
        }

        if (Status is { } status)
        {
            query = query.Where(i => i.Status == (int)status);
        }

        if (CorrelationId is { } correlation)
        {
            query = query.Where(i => i.CorrelationId == correlation);
        }

        if (CreatedFrom is { } createdFrom)
        {
            var ms = createdFrom.ToUnixTimeMilliseconds();
            query = query.Where(i => i.CreatedAt >= ms);
        }

        if (CreatedTo is { } createdTo)
        {
            var ms = createdTo.ToUnixTimeMilliseconds();
            query = query.Where(i => i.CreatedAt < ms);
        }

        if (FinishedFrom is { } finishedFrom)
        {
            var ms = finishedFrom.ToUnixTimeMilliseconds();
            query = query.Where(i => i.FinishedAt != null && i.FinishedAt >= ms);
        }

        if (FinishedTo is { } finishedTo)
        {
            var ms = finishedTo.ToUnixTimeMilliseconds();
            query = query.Where(i => i.FinishedAt != null && i.FinishedAt < ms);
        }

        if (Text is { Length: > 0 } text)
        {
            if (postgres)
            {
                // LIKE is case-sensitive on PostgreSQL, as strpos() is, and the pg_trgm GIN
                // index over the input serves it (strpos() no index can serve). The text's own
                // wildcard characters are escaped, so it still matches only itself.
                var pattern = "%" + EscapeLike(text) + "%";
                query = query.Where(i => EF.Functions.Like(i.Input, pattern, LikeEscape));
            }
            else
            {
                // instr() on SQLite: a plain, case-sensitive substring match (SQLite's LIKE
                // ignores ASCII case).
                query = query.Where(i => i.Input.Contains(text));
            }
        }

        return query;
    }

    private const string LikeEscape = "\\";

    private static string EscapeLike(string text) =>
        text.Replace(LikeEscape, LikeEscape + LikeEscape, StringComparison.Ordinal)
            .Replace("%", LikeEscape + "%", StringComparison.Ordinal)
            .Replace("_", LikeEscape + "_", StringComparison.Ordinal);
}
