using System.Net;
using System.Text.RegularExpressions;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Hosting;

public sealed partial class DesignerEndpointsTests
{
    [Fact]
    public async Task Root_WithKey_ServesTheDesignerPage_NotCached()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);

        using var page = await app.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<div id=\"root\"></div>", await page.Content.ReadAsStringAsync());
        Assert.Equal("no-cache", page.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Root_WithoutKey_Returns401()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);
        using var anonymous = app.CreateAnonymousClient();

        using var page = await anonymous.GetAsync("/");

        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    [Fact]
    public async Task Assets_WithoutKey_AreServedImmutable_ButNothingElseIs()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);
        var html = await app.Client.GetStringAsync("/");
        var script = ScriptSource().Match(html).Groups[1].Value;
        using var anonymous = app.CreateAnonymousClient();

        using var asset = await anonymous.GetAsync(script);
        using var missing = await anonymous.GetAsync("/assets/not-there.js");
        using var index = await anonymous.GetAsync("/assets/../index.html");
        using var api = await anonymous.GetAsync("/api/definitions");

        Assert.StartsWith("/assets/", script, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", asset.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, index.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [GeneratedRegex("<script type=\"module\" crossorigin src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
