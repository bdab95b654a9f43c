using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace QaPipeline.Centre.Access;

/// <summary>
/// The machines' scheme: the <c>X-Api-Key</c> header against QA_API_KEY. No header = no result (another scheme or the
/// challenge decides); a header that does not match, or any header while no key is configured, fails. Both are compared
/// as SHA-256 digests with a fixed-time comparison, so neither the key's content nor its length shows in the timing.
/// A refusal says in one line what to send.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, PipelineOptions centre) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string WrongKey = "the X-Api-Key header does not match QA_API_KEY";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(CallerAccess.ApiKeyHeader, out var sent)) return Task.FromResult(AuthenticateResult.NoResult());
        if (centre.ApiKey is not { Length: > 0 } key || sent.Count != 1 || !Matches(sent.ToString(), key))
            return Task.FromResult(AuthenticateResult.Fail(WrongKey));
        var identity = new ClaimsIdentity(Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, "api-key"));
        identity.AddClaim(new Claim(ClaimTypes.Role, CallerAccess.MachineRole));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{CallerAccess.MachineScheme} header=\"{CallerAccess.ApiKeyHeader}\"";
        var error = centre.ApiKey is not { Length: > 0 }
            ? "this host takes no API key: set QA_API_KEY on the server and send it as the X-Api-Key header"
            : result.Failure is not null ? WrongKey : "send the X-Api-Key header (QA_API_KEY)";
        await Response.WriteAsJsonAsync(new { error });
    }

    private static bool Matches(string sent, string key) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(sent)), SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
