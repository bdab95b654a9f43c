using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Access;

/// <summary>How hard sign-in is throttled. Per address: every attempt counts (ASP.NET Core's rate limiter middleware);
/// per account: failed attempts count, and an account with too many is locked for the window (a guessed password is
/// refused even when right), so 30 guesses in two seconds end in a lockout, not a session.</summary>
public sealed class SignInThrottleOptions
{
    public int AttemptsPerAddress { get; set; } = 30;
    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromMinutes(1);
    public int FailuresPerAccount { get; set; } = 5;
    public TimeSpan AccountWindow { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// The HTTP-level guards in front of every page and API call: a request-body limit per endpoint (64 KB unless the
/// endpoint says otherwise; the pipeline's upload sets its own), malformed or oversized requests answered with their
/// 4xx and a one-line message instead of a 500, short status pages in the viewer's language, and the sign-in throttle.
/// </summary>
public static class RequestGuards
{
    public const string SignInPolicy = "signin";

    public static IServiceCollection AddRequestGuards(this IServiceCollection services)
    {
        services.AddOptions<SignInThrottleOptions>();
        services.AddSingleton<AccountLockout>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInPolicy, http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<SignInThrottleOptions>>().Value;
                return RateLimitPartition.GetSlidingWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = limits.AttemptsPerAddress, Window = limits.AddressWindow, SegmentsPerWindow = 6, QueueLimit = 0,
                });
            });
            o.OnRejected = async (ctx, ct) =>
            {
                var http = ctx.HttpContext;
                var audit = http.RequestServices.GetRequiredService<QaPipeline.Storage.AuditLog>();
                await audit.Write(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", "signin throttled", "address",
                    http.Connection.RemoteIpAddress?.ToString(), $"more than {http.RequestServices.GetRequiredService<IOptions<SignInThrottleOptions>>().Value.AttemptsPerAddress} sign-in attempts from this address in the window", http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, ct);
                await WriteError(http, 429, "error.address_throttled");
            };
        });
        return services;
    }

    public static WebApplication UseRequestGuards(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            // The body limit of the endpoint (its RequestSizeLimit metadata), else the web app's default; Kestrel
            // then refuses a longer body with 413 before anything reads it.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                size.MaxRequestBodySize = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
                                          ?? (http.Request.Path.StartsWithSegments("/api/calls") ? size.MaxRequestBodySize : InputLimits.RequestBytes);
            try
            {
                await next(http);
            }
            catch (BadHttpRequestException e) when (!http.Response.HasStarted)
            {
                await WriteError(http, e.StatusCode, e.StatusCode == 413 ? "error.request_too_large" : "error.request_malformed");
            }
            catch (InvalidDataException) when (!http.Response.HasStarted)
            {
                // The form reader's own limits (value length, count): a form nobody's browser sends.
                await WriteError(http, 400, "error.form_malformed");
            }
        });
        app.UseRateLimiter();
        return app;
    }

    /// <summary>A one-line refusal: JSON {error, error_zh} for the API, plain text in the viewer's language for pages.</summary>
    public static async Task WriteError(HttpContext http, int status, string key)
    {
        var refusal = new Reviews.ReviewRuleException(key, status);
        http.Response.Clear();
        http.Response.StatusCode = status;
        if (http.Request.Path.StartsWithSegments("/api"))
            await http.Response.WriteAsJsonAsync(new { error = refusal.Message, error_zh = refusal.Chinese });
        else
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync(refusal.In(new Ui(new HttpContextAccessor { HttpContext = http })));
        }
    }
}

/// <summary>Failed sign-ins per account (login, case-folded) in a sliding window, with System.Threading.RateLimiting's
/// limiter: a check before the password is verified, a permit taken for each failure. Locked accounts are refused
/// without verifying the password, and each refusal is audited.</summary>
public sealed class AccountLockout(IOptions<SignInThrottleOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(login =>
        RateLimitPartition.GetSlidingWindowLimiter(login, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.Value.FailuresPerAccount, Window = options.Value.AccountWindow, SegmentsPerWindow = 15, QueueLimit = 0,
        }));

    private static string Key(string login) => login.Trim().ToLowerInvariant();

    public bool IsLocked(string login)
    {
        using var probe = _failures.AttemptAcquire(Key(login), 0);
        return !probe.IsAcquired;
    }

    public void Failed(string login) => _failures.AttemptAcquire(Key(login), 1).Dispose();

    public void Dispose() => _failures.Dispose();
}
