using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace TaskFlow.Server.Auth;

/// <summary>
/// Accepts <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c> on every request. For
/// GET and HEAD only, also <c>?key=KEY</c> (the URL printed at start) and the cookie it sets:
/// a browser can open the docs, while a state-changing request always needs a header, so a
/// cross-site form cannot ride on the cookie.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRing keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string MissingMessage = "This route needs an API key: send it as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'. A server started without configured keys wrote its key to the file api-key in its data folder.";
    private const string WrongMessage = "The API key is not valid.";

    private bool _presented;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (key, fromQuery) = Presented();
        if (key is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        _presented = true;
        if (keys.Find(key) is not { } known)
        {
            return Task.FromResult(AuthenticateResult.Fail(WrongMessage));
        }

        if (fromQuery)
        {
            Response.Cookies.Append(ApiKeyDefaults.Cookie, key, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = Request.IsHttps,
                Path = "/",
            });
        }

        // The key's fingerprint identifies the caller: MCP sessions at /mcp belong to the key that
        // opened them, so a request with another key cannot use them.
        // The name and role come from the key's entry: who asked (in messages and the journal) and what it may do.
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, known.Name), new Claim(ClaimTypes.Role, known.Role.Name()), new Claim(ClaimTypes.NameIdentifier, Fingerprint(key))],
            ApiKeyDefaults.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyDefaults.Scheme)));
    }

    /// <summary>A stable name for a key that does not reveal it: the start of its SHA-256.</summary>
    internal static string Fingerprint(string key) =>
        "key-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..16];

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Unauthorized",
                Detail = _presented ? WrongMessage : MissingMessage,
            },
        });
    }

    private (string? Key, bool FromQuery) Presented()
    {
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (authorization["Bearer ".Length..].Trim(), false);
        }

        if (Request.Headers[ApiKeyDefaults.Header].ToString() is { Length: > 0 } header)
        {
            return (header.Trim(), false);
        }

        if (HttpMethods.IsGet(Request.Method) || HttpMethods.IsHead(Request.Method))
        {
            if (Request.Query[ApiKeyDefaults.Query].ToString() is { Length: > 0 } query)
            {
                return (query, true);
            }

            if (Request.Cookies[ApiKeyDefaults.Cookie] is { Length: > 0 } cookie)
            {
                return (cookie, false);
            }
        }

        return (null, false);
    }
}
