using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Hosting;

/// <summary>Declares the two ways to send the API key, so the reference page at /docs can send it with "try it" requests.</summary>
internal sealed class ApiKeySecuritySchemeTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "Authorization: Bearer KEY",
        };
        document.Components.SecuritySchemes[ApiKeyDefaults.Header] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyDefaults.Header,
            Description = "X-Api-Key: KEY",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyDefaults.Header, document)] = [] });
        return Task.CompletedTask;
    }
}
