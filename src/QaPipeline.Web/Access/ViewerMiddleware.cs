using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using QaPipeline.Storage;

namespace QaPipeline.Web.Access;

public static class ViewerHttpExtensions
{
    private const string Key = "qa.viewer";

    /// <summary>The signed-in viewer of this request (set by <see cref="ViewerMiddleware"/>); null when anonymous.</summary>
    public static Viewer? Viewer(this HttpContext http) => http.Items.TryGetValue(Key, out var v) ? v as Viewer : null;

    public static Viewer RequiredViewer(this HttpContext http) =>
        http.Viewer() ?? throw new InvalidOperationException("this endpoint requires a signed-in viewer");

    internal static void SetViewer(this HttpContext http, Viewer viewer) => http.Items[Key] = viewer;
}

/// <summary>
/// Loads the viewer from the database for every signed-in request and rebuilds the principal's roles from it, so
/// the cookie only says who someone is, never what they may do; a deactivated user is signed out at once. Runs between
/// authentication and authorisation, so every policy (the pages' roles, the pipeline's operators) sees these roles.
/// </summary>
public sealed class ViewerMiddleware(RequestDelegate next, UserRepository users)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated == true && Viewer.IdOf(http.User) is { } id)
        {
            var viewer = Viewer.Of(await users.Access(id, http.RequestAborted));
            if (viewer is null)
            {
                await http.SignOutAsync(WebHosting.CookieScheme);
                http.User = new ClaimsPrincipal(new ClaimsIdentity());
            }
            else
            {
                http.SetViewer(viewer);
                var identity = new ClaimsIdentity(WebHosting.CookieScheme, ClaimTypes.Name, ClaimTypes.Role);
                identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, viewer.Id.ToString()));
                identity.AddClaim(new Claim(ClaimTypes.Name, viewer.Login));
                foreach (var role in viewer.Roles) identity.AddClaim(new Claim(ClaimTypes.Role, role));
                http.User = new ClaimsPrincipal(identity);
            }
        }
        await next(http);
    }
}
