using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace QaPipeline.Web;

/// <summary>Serves wwwroot (our CSS/JS and the npm libraries fetched at build time) from resources embedded in
/// this assembly, so `qa serve` needs no content folder and never reaches for a CDN.</summary>
internal static class StaticAssets
{
    private static readonly FileExtensionContentTypeProvider Types = new();

    public static void Map(WebApplication app)
    {
        var assembly = typeof(StaticAssets).Assembly;
        app.MapGet("/static/{**path}", (string path, HttpContext http) =>
        {
            var stream = assembly.GetManifestResourceStream("static/" + path);
            if (stream is null) return Results.NotFound();
            http.Response.Headers.CacheControl = "private, max-age=3600";
            return Results.Stream(stream, Types.TryGetContentType(path, out var type) ? type : "application/octet-stream");
        }).AllowAnonymous();
    }
}
