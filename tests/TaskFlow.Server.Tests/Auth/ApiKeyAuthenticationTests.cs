using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Auth;

public sealed partial class ApiKeyAuthenticationTests
{
    /// <summary>Walks the app's route table, so a route added later is covered without editing this test.</summary>
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task EveryRouteButHealth_NoKeyOrWrongKey_Returns401(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        // A resume URL carries its own single-use secret and is made for callers without a key
        // (EventsApiTests covers it), like /health. An HTTP trigger's route decides its own
        // authorization (a key by default, none, or a signature; HttpTriggerEndpointsTests covers
        // each), and a path no trigger serves is 404 whoever asks.
        var routes = Routes(app).Where(r => !r.Path.StartsWith("/health", StringComparison.Ordinal) && !r.Path.StartsWith("/api/resume/", StringComparison.Ordinal) && !r.Path.StartsWith("/workflows/", StringComparison.Ordinal)).ToList();
        using var anonymous = app.CreateAnonymousClient();
        using var wrong = app.CreateAnonymousClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key-0123456789abcdef");

        Assert.Contains(routes, r => r.Path == "/api/definitions/x/run" && r.Method == "POST");
        Assert.Contains(routes, r => r.Path.StartsWith("/openapi/", StringComparison.Ordinal));
        Assert.Contains(routes, r => r.Path.StartsWith("/docs", StringComparison.Ordinal));
        Assert.True(routes.Count >= 14, string.Join(", ", routes));
        var failures = new List<string>();
        foreach (var (method, path) in routes)
        {
            foreach (var (name, client) in new[] { ("no key", anonymous), ("wrong key", wrong) })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method is "POST" or "PUT" ? TaskFlowApp.JsonBody("{}") : null };
                using var response = await client.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    failures.Add($"{method} {path} with {name}: {(int)response.StatusCode}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Health_NoKey_IsAnswered(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        using var anonymous = app.CreateAnonymousClient();

        using var live = await anonymous.GetAsync("/health");
        using var ready = await anonymous.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task BothHeaderForms_RightKey_Accepted(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        using var bearer = app.CreateAnonymousClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TaskFlowApp.Key);
        using var header = app.CreateAnonymousClient();
        header.DefaultRequestHeaders.Add("X-Api-Key", TaskFlowApp.Key);

        using var viaBearer = await bearer.GetAsync("/api/activities");
        using var viaHeader = await header.GetAsync("/api/activities");

        Assert.Equal(HttpStatusCode.OK, viaBearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viaHeader.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Unauthorized_Answer_IsProblemDetailsWithoutKeyHints(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        using var anonymous = app.CreateAnonymousClient();
        using var wrong = app.CreateAnonymousClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", TaskFlowApp.Key[..^1]);

        using var missing = await anonymous.GetAsync("/api/definitions");
        using var invalid = await wrong.GetAsync("/api/definitions");

        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-Api-Key", (string?)(await TaskFlowApp.ReadAsync(missing))["detail"]);
        var invalidText = await invalid.Content.ReadAsStringAsync();
        Assert.Contains("The API key is not valid.", invalidText);
        Assert.DoesNotContain(TaskFlowApp.Key[..8], invalidText);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task QueryKey_OnGet_SetsCookieForBrowser_ButNotForPost(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        using var browser = app.CreateAnonymousClient();

        using var opened = await browser.GetAsync($"/?key={TaskFlowApp.Key}");
        var cookie = opened.Headers.GetValues("Set-Cookie").Single();
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var docs = await browser.SendAsync(withCookie);
        using var post = new HttpRequestMessage(HttpMethod.Post, $"/api/definitions?key={TaskFlowApp.Key}") { Content = TaskFlowApp.JsonBody(Samples.Pair("p")) };
        post.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var posted = await browser.SendAsync(post);

        // The printed URL opens the designer.
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal("text/html", opened.Content.Headers.ContentType?.MediaType);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, posted.StatusCode);
    }

    private static List<(string Method, string Path)> Routes(TaskFlowApp app)
    {
        var sources = app.Services.GetServices<EndpointDataSource>();
        var routes = new List<(string, string)>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var path = "/" + RouteParameter().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), "x");
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            routes.AddRange(methods.Select(m => (m, path)));
        }

        return routes.Distinct().ToList();
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
