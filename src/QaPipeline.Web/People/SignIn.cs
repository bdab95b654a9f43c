using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using QaPipeline.Centre;
using QaPipeline.Storage;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.People;

/// <summary>Password sign-in with ASP.NET Core Identity's hasher (PBKDF2, versioned: old hashes are upgraded on
/// the next successful sign-in). The cookie carries only the user id; roles are read per request.</summary>
public sealed class SignIn(UserRepository users, IPasswordHasher<UserRecord> hasher, TimeProvider clock, AccountLockout? lockout = null, AuditLog? audit = null)
{
    /// <summary>The outcome of a sign-in attempt through the throttle: the user, or why not.</summary>
    public enum Outcome { SignedIn, WrongPassword, Locked }

    /// <summary>A person signing in: refused without checking the password while the account is locked (too many
    /// failures in the window); each failure counts towards the lock; failures and lock refusals are audited.</summary>
    public async Task<(Outcome Outcome, UserRecord? User)> Attempt(string login, string password, string? address, CancellationToken ct = default)
    {
        login = login.Trim();
        if (login.Length > Reviews.InputLimits.Name || password.Length > 1024) return (Outcome.WrongPassword, null);
        if (lockout?.IsLocked(login) == true)
        {
            if (audit is not null) await audit.Write(login, "signin locked", "user", login, $"refused while locked, from {address}", clock.GetUtcNow().UtcDateTime, ct);
            return (Outcome.Locked, null);
        }
        if (await Verify(login, password, ct) is { } user) return (Outcome.SignedIn, user);
        lockout?.Failed(login);
        if (audit is not null) await audit.Write(login, "signin failed", "user", login, $"wrong login or password, from {address}", clock.GetUtcNow().UtcDateTime, ct);
        return (Outcome.WrongPassword, null);
    }

    public string Hash(string password) => hasher.HashPassword(new UserRecord(), password);

    public async Task<UserRecord?> Verify(string login, string password, CancellationToken ct = default)
    {
        var user = await users.FindByLogin(login.Trim(), ct);
        if (user is not { Active: true, PasswordHash: { Length: > 0 } hash })
        {
            // Same work for unknown users, so response time does not reveal which logins exist.
            hasher.VerifyHashedPassword(new UserRecord(), DummyHash, password);
            return null;
        }
        var result = hasher.VerifyHashedPassword(user, hash, password);
        if (result == PasswordVerificationResult.Failed) return null;
        if (result == PasswordVerificationResult.SuccessRehashNeeded) await users.SetPassword(user.Id, Hash(password), ct);
        return user;
    }

    private static readonly string DummyHash = new PasswordHasher<UserRecord>().HashPassword(new UserRecord(), "not a password");

    public static Task SignInCookie(HttpContext http, UserRecord user)
    {
        var identity = new ClaimsIdentity(WebHosting.CookieScheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()));
        identity.AddClaim(new Claim(ClaimTypes.Name, user.Login));
        return http.SignInAsync(WebHosting.CookieScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>A fresh database has nobody to sign in as: create "admin" with QA_ADMIN_PASSWORD, or a random
    /// password written once to the log.</summary>
    public async Task EnsureFirstAdmin(PipelineOptions options, ILogger log, CancellationToken ct = default)
    {
        if ((await users.List(ct)).Count > 0) return;
        var password = options.AdminPassword is { Length: > 0 } p ? p : Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        await users.Create("admin", "Administrator", Hash(password), null, null, [Role.Admin], clock.GetUtcNow().UtcDateTime, ct);
        log.LogWarning("created the first user 'admin'{Detail}", options.AdminPassword is { Length: > 0 } ? " with QA_ADMIN_PASSWORD" : $" with password {password}");
    }
}
