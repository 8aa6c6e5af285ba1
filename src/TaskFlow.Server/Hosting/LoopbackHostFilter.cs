using Microsoft.AspNetCore.HostFiltering;

namespace TaskFlow.Server.Hosting;

/// <summary>
/// DNS rebinding protection: a server that listens on loopback addresses only answers requests
/// whose Host is a loopback name (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>), so a web page
/// whose name resolves to 127.0.0.1 cannot reach it from a browser (400 Bad Request). An explicit
/// <c>AllowedHosts</c> setting wins; a server bound to other addresses is left as configured.
/// </summary>
internal static class LoopbackHostFilter
{
    public static readonly string[] LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    public static void Configure(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.PostConfigure<HostFilteringOptions>(options =>
        {
            if (!string.IsNullOrWhiteSpace(configuration["AllowedHosts"]))
            {
                return;
            }

            var urls = configuration["urls"] is { Length: > 0 } given
                ? given
                : configuration[$"{TaskFlowServerOptions.SectionName}:{nameof(TaskFlowServerOptions.Urls)}"] ?? new TaskFlowServerOptions().Urls;
            if (IsLoopbackOnly(urls))
            {
                options.AllowedHosts = [.. LoopbackHosts.Union(Hosts(urls).OfType<string>(), StringComparer.OrdinalIgnoreCase)];
            }
        });
    }

    /// <summary>True when every URL of <paramref name="urls"/> (separated by ';') names a loopback host.</summary>
    public static bool IsLoopbackOnly(string urls)
    {
        var hosts = Hosts(urls);
        return hosts.Count > 0 && hosts.All(h => h is not null && (h == "localhost" || (System.Net.IPAddress.TryParse(h.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip))));
    }

    private static List<string?> Hosts(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Host : null)
            .ToList();
}
