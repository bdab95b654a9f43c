using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QaPipeline.Centre;
using QaPipeline.Centre.Access;
using QaPipeline.Web.Access;
using QaPipeline.Web.Api;
using QaPipeline.Web.Calibration;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Dashboards;
using QaPipeline.Web.Disputes;
using QaPipeline.Web.Library;
using QaPipeline.Web.People;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web;

/// <summary>
/// The web app's wiring, next to the code it wires (the pipeline's AddPipeline/MapPipeline style):
/// <c>qa serve</c> = AddPipeline + AddWebApp, then MapWebApp and MapPipeline. AddWebApp registers the callers' schemes
/// (<see cref="CallerAccess"/>: the cookie for people, X-Api-Key for machines), so the pipeline's dashboard and call API
/// answer to a signed-in admin there.
/// </summary>
public static class WebHosting
{
    public const string CookieScheme = CallerAccess.PersonScheme;
    public const string CsrfHeader = "X-CSRF-TOKEN";

    public static IServiceCollection AddWebApp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddRequestGuards();
        // Razor writes Chinese as UTF-8 text, not &#x...; entities (a page of Chinese was 2.7x larger encoded).
        services.AddSingleton(System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All));
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddScoped<Ui>();
        services.AddSingleton<IPasswordHasher<UserRecord>, PasswordHasher<UserRecord>>();
        services.AddSingleton<SignIn>();
        services.AddSingleton<RubricCatalog>();
        services.AddSingleton<CallDetails>();
        services.AddSingleton<ReviewQueue>();
        services.AddSingleton<CallList>();
        services.AddSingleton<Rubrics.RubricEditor>();
        services.AddSingleton<Rubrics.RoutingEditor>();
        // Review and dispute use cases, one class each (Reviews/*, Disputes/*).
        services.AddSingleton<ReviewAccess>();
        services.AddSingleton<ClaimReview>();
        services.AddSingleton<ReopenReview>();
        services.AddSingleton<DecideItem>();
        services.AddSingleton<FinaliseReview>();
        services.AddSingleton<CallComments>();
        services.AddSingleton<AcknowledgeReview>();
        services.AddSingleton<RaiseDispute>();
        services.AddSingleton<DecideDispute>();
        services.AddSingleton<WebSettings>();
        services.AddSingleton<AgentCalls>();
        services.AddSingleton<CoachingLibrary>();
        services.AddSingleton<CalibrationSessions>();
        services.AddSingleton<QaDashboard>();
        services.AddSingleton<ScorecardItemProjection>();
        // The pipeline's decoder (ffmpeg) for the one case the web app needs it: serving a non-WAV recording toned.
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<PipelineOptions>();
            return new QaPipeline.Audio.Decoding.AudioDecoder(new QaPipeline.Audio.Decoding.AudioDecoderOptions
            {
                FfmpegPath = o.FfmpegPath, FfprobePath = o.FfprobePath, StallTimeout = o.FfmpegStallTimeout, ProbeTimeout = o.FfmpegStallTimeout,
            });
        });
        services.AddHostedService(sp => sp.GetRequiredService<ScorecardItemProjection>());

        // People sign in with the cookie, machines upload with X-Api-Key: one scheme per kind of caller, registered once
        // (CallerAccess); the pipeline's dashboard, /metrics and call API need the operators' policy = a signed-in admin.
        services.AddCallerAccess(new PeopleSignIn(o =>
        {
            o.Cookie.Name = "qa-auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(10); // one shift
            o.SlidingExpiration = true;
            o.LoginPath = "/signin";
            // The API, downloads and the operator surfaces answer with a status, not a redirect to a page that hides the refusal.
            o.Events.OnRedirectToLogin = ctx =>
            {
                if (AnswersWithStatus(ctx.Request.Path)) ctx.Response.StatusCode = 401;
                else ctx.Response.Redirect(ctx.RedirectUri);
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToAccessDenied = ctx => { ctx.Response.StatusCode = 403; return Task.CompletedTask; };
        }, Role.Admin));
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy("reviewers", p => p.RequireRole(Role.Admin, Role.Monitor))
            .AddPolicy("coaches", p => p.RequireRole(Role.Admin, Role.Monitor, Role.Trainer))
            .AddPolicy("agents", p => p.RequireRole(Role.Agent))
            .AddPolicy("admins", p => p.RequireRole(Role.Admin))
            .AddPolicy("rule-keepers", p => p.RequireRole(Role.Admin, Role.QaLead))
            .AddPolicy("dashboards", p => p.RequireRole(Role.Admin, Role.Monitor, Role.Trainer, Role.QaLead));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = "qa-csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddRazorPages(o =>
        {
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AddPageApplicationModelConvention("/SignIn",
                m => m.EndpointMetadata.Add(new Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute(RequestGuards.SignInPolicy)));
            o.Conventions.AuthorizeFolder("/Queue", "reviewers");
            o.Conventions.AuthorizeFolder("/Library", "coaches");
            o.Conventions.AuthorizeFolder("/Calibration", "coaches");
            o.Conventions.AuthorizeFolder("/Dashboard", "dashboards");
            // Rubric and routing management: /admin/rubrics for the admin page's links, but not under the admins-only folder.
            o.Conventions.AuthorizeFolder("/Rubrics", "rule-keepers");
            o.Conventions.AddPageRoute("/Rubrics/Index", "admin/rubrics");
            o.Conventions.AuthorizeFolder("/My", "agents");
            o.Conventions.AuthorizeFolder("/Admin", "admins");
        }).ConfigureApplicationPartManager(m =>
        {
            // qa serve's entry assembly is the CLI: name this assembly's pages explicitly, once.
            var assembly = typeof(WebHosting).Assembly;
            if (m.ApplicationParts.All(p => p.Name != assembly.GetName().Name))
                foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly)) m.ApplicationParts.Add(part);
        });
        return services;
    }

    public static WebApplication MapWebApp(this WebApplication app)
    {
        // Empty error answers get a short page saying what happened, so a browser shows it instead of its own screen; the
        // API's (a refusal of the operators' or uploaders' policy among them) get the API's one-line JSON {error, error_zh}.
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (http.Request.Path.StartsWithSegments("/api"))
            {
                await RequestGuards.WriteError(http, http.Response.StatusCode, StatusTextKey(http.Response.StatusCode));
                return;
            }
            var ui = new Ui(new HttpContextAccessor { HttpContext = http });
            var status = http.Response.StatusCode;
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(
                $"<!DOCTYPE html><html lang=\"{ui.Lang}\"><meta charset=\"utf-8\"><title>{status}</title><p>{status}: {System.Net.WebUtility.HtmlEncode(ui.T(StatusTextKey(status)))}. <a href=\"/\">QaPipeline</a></p>");
        });
        app.UseRequestGuards();
        app.UseAuthentication();
        app.UseMiddleware<ViewerMiddleware>();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.Use(async (http, next) =>
        {
            // Pages are per-person data: never cached by a shared proxy, never framed by another site.
            http.Response.Headers.XFrameOptions = "DENY";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers["Referrer-Policy"] = "same-origin";
            http.Response.Headers.ContentSecurityPolicy =
                "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";
            await next(http);
        });
        app.MapRazorPages();
        StaticAssets.Map(app);
        CallFiles.Map(app);
        WebApi.Map(app);
        Exports.ExportDownloads.Map(app);
        app.MapGet("/lang/{code}", (string code, string? returnUrl, HttpContext http) =>
        {
            http.Response.Cookies.Append(Ui.Cookie, code == "zh" ? "zh" : "en", new CookieOptions { SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365) });
            return Results.LocalRedirect(IsLocalPath(returnUrl) ? returnUrl! : "/");
        }).AllowAnonymous();

        var services = app.Services;
        services.GetRequiredService<SignIn>().EnsureFirstAdmin(services.GetRequiredService<PipelineOptions>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("QaPipeline.Web")).GetAwaiter().GetResult();
        return app;
    }

    private static bool AnswersWithStatus(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/calls") || path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/metrics");

    /// <summary>ASP.NET Core's own test for a local redirect ("/x", not "//host" or "/\\host", no control characters), so
    /// LocalRedirect never throws on a crafted returnUrl.</summary>
    public static bool IsLocalPath(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);

    /// <summary>The key of the short text of an empty error answer (404 and 403 share one: a refusal must not say
    /// whether the thing exists).</summary>
    private static string StatusTextKey(int status) => status switch
    {
        400 or 401 or 413 or 429 => $"http.{status}",
        >= 500 => "http.500",
        _ => "http.not_found",
    };

    /// <summary>Validates the anti-forgery token of an unsafe API request (header X-CSRF-TOKEN, from GET /api/v1/session).</summary>
    public static async Task<bool> CsrfValid(HttpContext http)
    {
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        return await antiforgery.IsRequestValidAsync(http);
    }
}
