using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace QaPipeline.Centre.Access;

/// <summary>The web app's sign-in, handed to <see cref="CallerAccess.AddCallerAccess"/> by a host where people sign in:
/// its cookie settings and the role that operates the centre.</summary>
public sealed record PeopleSignIn(Action<CookieAuthenticationOptions> Cookie, string OperatorRole);

/// <summary>
/// Who may call a host, one ASP.NET Core authentication scheme per kind of caller, registered once per host:
/// <list type="bullet">
/// <item>people: the web app's cookie (<see cref="PersonScheme"/>), on a host where people sign in (<c>qa serve</c>);</item>
/// <item>machines: the <c>X-Api-Key</c> header checked against QA_API_KEY (<see cref="MachineScheme"/>, every host).</item>
/// </list>
/// Endpoints name a policy (<c>RequireAuthorization</c>); no handler checks a caller itself.
/// <see cref="Uploaders"/> (<c>POST /api/calls</c>) are machines with the key. <see cref="Operators"/> (the jobs
/// dashboard, <c>/metrics</c>, the call-status API, retries) are signed-in people in the operator role where people sign
/// in — the key opens nothing there but uploads — and, on a host without sign-in (the pipeline alone), machines with the key.
/// Nothing is open to "anyone on this machine": behind a reverse proxy on the same host every request is loopback.
/// </summary>
public static class CallerAccess
{
    public const string PersonScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string MachineScheme = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";
    /// <summary>The role of a caller holding the API key.</summary>
    public const string MachineRole = "machine";

    public const string Uploaders = "uploaders";
    public const string Operators = "operators";

    /// <summary>Registers the schemes and the two policies; <paramref name="people"/> given = a host where people sign in
    /// (the cookie is then the default scheme, so pages and the web API see the signed-in person).</summary>
    public static AuthenticationBuilder AddCallerAccess(this IServiceCollection services, PeopleSignIn? people = null)
    {
        var schemes = services.AddAuthentication(people is null ? MachineScheme : PersonScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(MachineScheme, null);
        if (people is not null) schemes.AddCookie(PersonScheme, people.Cookie);
        services.AddAuthorizationBuilder()
            // The upload names its scheme: on a host with people it is not the default one, and a person's cookie
            // never uploads.
            .AddPolicy(Uploaders, p => p.AddAuthenticationSchemes(MachineScheme).RequireRole(MachineRole))
            // Operators with people: the default scheme's principal, whose roles the web app reloads from the database on
            // every request (naming the cookie scheme here would re-read the cookie, which carries no roles).
            .AddPolicy(Operators, people is null
                ? p => p.AddAuthenticationSchemes(MachineScheme).RequireRole(MachineRole)
                : p => p.RequireRole(people.OperatorRole));
        return schemes;
    }

    /// <summary>True where <see cref="AddCallerAccess"/> has registered the policies: a host mapping the pipeline's
    /// endpoints without them would refuse every request at run time, so it fails at start instead.</summary>
    public static bool IsRegistered(IServiceProvider services) =>
        services.GetService<Microsoft.Extensions.Options.IOptions<AuthorizationOptions>>()?.Value.GetPolicy(Operators) is not null
        && services.GetService<IAuthenticationSchemeProvider>() is not null;
}
