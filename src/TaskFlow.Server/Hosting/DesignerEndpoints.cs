using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace TaskFlow.Server.Hosting;

/// <summary>
/// Serves the browser designer, built into the <c>designer</c> folder next to the server's
/// assembly. The page at <c>/</c> needs the API key like every route (the printed
/// <c>/?key=KEY</c> URL carries it); its scripts and styles under <c>/assets/</c> are the same
/// for everyone and hold no data, so they are served without one. The designer's API calls send
/// the key in a header. Without a built designer, <c>/</c> leads to the API reference.
/// </summary>
internal static class DesignerEndpoints
{
    public const string Folder = "designer";

    public static string Root => Path.Combine(AppContext.BaseDirectory, Folder);

    /// <summary>Call before authentication: the assets are public, everything else is not.</summary>
    public static void UseDesignerAssets(this WebApplication app)
    {
        var assets = Path.Combine(Root, "assets");
        if (!Directory.Exists(assets))
        {
            return;
        }

        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/assets",
            FileProvider = new PhysicalFileProvider(assets),
            // Vite puts a content hash in every asset name, so a cached copy is never stale.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "public, max-age=31536000, immutable",
        });
    }

    public static void MapDesigner(this WebApplication app)
    {
        var index = Path.Combine(Root, "index.html");
        if (!File.Exists(index))
        {
            app.MapGet("/", () => TypedResults.Redirect("/docs")).ExcludeFromDescription();
            return;
        }

        app.MapGet("/", (HttpContext http) =>
            {
                http.Response.Headers[HeaderNames.CacheControl] = "no-cache";
                return TypedResults.PhysicalFile(index, "text/html; charset=utf-8");
            })
            .ExcludeFromDescription();
    }
}
