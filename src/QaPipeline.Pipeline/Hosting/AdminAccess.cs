using System.Net;
using System.Text;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Http;
using QaPipeline.Centre;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>
/// Who may use admin functions: a signed-in user in the "admin" role (the web app's login), HTTP Basic
/// "admin" with QA_ADMIN_PASSWORD, or — only while no password is set — a request from this machine's
/// loopback. Never anonymous from another host.
/// </summary>
public static class AdminAccess
{
    public static bool IsAdmin(HttpContext http, PipelineOptions options)
    {
        if (http.User.Identity?.IsAuthenticated == true && http.User.IsInRole("admin")) return true;
        if (options.AdminPassword is { Length: > 0 } password)
            return BasicPasswordMatches(http.Request.Headers.Authorization.ToString(), password);
        return IsLoopback(http);
    }

    public static bool IsLoopback(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip) && !http.Request.Headers.ContainsKey("X-Forwarded-For");

    public static IResult Challenge(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"qa admin\", charset=\"UTF-8\"";
        return Results.Json(new { error = "admin only: sign in as admin (QA_ADMIN_PASSWORD) or connect from the server itself" },
            statusCode: StatusCodes.Status401Unauthorized);
    }

    private static bool BasicPasswordMatches(string header, string password)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())); }
        catch (FormatException) { return false; }
        var expected = Encoding.UTF8.GetBytes("admin:" + password);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(decoded), expected);
    }
}

public sealed class AdminDashboardAuthorization(PipelineOptions options) : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var http = context.GetHttpContext();
        if (AdminAccess.IsAdmin(http, options)) return true;
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"qa admin\", charset=\"UTF-8\"";
        return false;
    }
}
