namespace TaskFlow.Server.Audit;

/// <summary>Endpoint metadata: the name an audited request is recorded under (<c>instance.cancel</c>), or that it is not audited.</summary>
public sealed record AuditAction(string? Name)
{
    /// <summary>Not recorded: requests that change nothing (validation), or whose volume the trail cannot carry (MCP messages; see docs).</summary>
    public static readonly AuditAction None = new((string?)null);
}

/// <summary>Names routes in the audit trail.</summary>
public static class AuditActionExtensions
{
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string action)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(new AuditAction(action)));
        return builder;
    }

    public static TBuilder NotAudited<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(AuditAction.None));
        return builder;
    }
}
