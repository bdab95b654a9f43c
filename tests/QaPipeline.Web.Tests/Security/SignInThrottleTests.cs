using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Web.Access;
using QaPipeline.Storage;
using QaPipeline.Web.People;
using QaPipeline.Bench.Seeding;

namespace QaPipeline.Web.Tests;

/// <summary>The app with a small per-address sign-in limit and QA_ADMIN_PASSWORD set (to show the Basic path is gone).</summary>
public sealed class ThrottledWebApp : WebApp
{
    public const string AdminPassword = "basic-admin-password";
    protected override void Configure(PipelineOptions options) => options.AdminPassword = AdminPassword;
    protected override void Configure(IServiceCollection services) =>
        services.Configure<SignInThrottleOptions>(o => { o.AttemptsPerAddress = 40; o.AddressWindow = TimeSpan.FromMinutes(10); });
}

/// <summary>
/// Sign-in throttling per account: 30 wrong passwords lock it (the right password is then refused too, 429), audited.
/// </summary>
[Collection("web")]
public sealed class SignInLockoutTests(WebApp app)
{
    private async Task<HttpStatusCode> SignIn(HttpClient client, string login, string password) =>
        (await client.PostAsync("/api/v1/session", WebApp.Json(new { login, password }))).StatusCode;

    private Task<long> Audited(string action, string actor) => app.Db.Run(c => c.ExecuteScalarAsync<long>(
        "SELECT COUNT(*) FROM audit_log WHERE action = @action AND actor = @actor", new { action, actor }));

    private async Task<string> NewUser(string login)
    {
        var users = app.Services.GetRequiredService<UserRepository>();
        var hash = app.Services.GetRequiredService<SignIn>().Hash(DemoSeed.Password);
        await users.Create(login, login, hash, null, null, [QaPipeline.Web.Access.Role.Trainer], DateTime.UtcNow);
        return login;
    }

    [Fact]
    public async Task Thirty_wrong_passwords_lock_the_account_so_the_right_one_is_refused_and_it_is_audited()
    {
        var login = await NewUser("throttle-victim");
        var attacker = await app.Client(null);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++) answers.Add(await SignIn(attacker, login, $"guess-{i}"));
        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.Unauthorized));
        Assert.All(answers.Skip(5), a => Assert.Equal(HttpStatusCode.TooManyRequests, a));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignIn(attacker, login, DemoSeed.Password));
        // The page form is locked the same way, with a message, not a session.
        var page = await attacker.PostAsync("/signin", new FormUrlEncodedContent([new("login", login), new("password", DemoSeed.Password)]));
        Assert.NotEqual(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal(5, await Audited("signin failed", login));
        Assert.True(await Audited("signin locked", login) >= 26);
        // Another account is not affected by this one's lock.
        Assert.Equal(HttpStatusCode.OK, await SignIn(await app.Client(null), await NewUser("throttle-bystander"), DemoSeed.Password));
    }

}

/// <summary>
/// Sign-in throttling per address (a password spray over many accounts is cut off, audited), and no HTTP Basic header —
/// a made-up one or even the real QA_ADMIN_PASSWORD — opens the operator surfaces: people sign in with the cookie.
/// </summary>
public sealed class SignInAddressThrottleTests(ThrottledWebApp app) : IClassFixture<ThrottledWebApp>
{
    private async Task<HttpStatusCode> SignIn(HttpClient client, string login, string password) =>
        (await client.PostAsync("/api/v1/session", WebApp.Json(new { login, password }))).StatusCode;

    [Fact]
    public async Task A_burst_of_attempts_from_one_address_is_cut_off_across_accounts()
    {
        // Wrong passwords spread over many logins (a password spray) never lock one account, so the address limit stops it.
        var sprayer = await app.Client(null);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 60; i++) answers.Add(await SignIn(sprayer, $"spray-{i}", "Password1"));
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.True(answers.Count(a => a == HttpStatusCode.Unauthorized) <= 40);
        Assert.True(await app.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'signin throttled'")) > 0);
    }

    [Fact]
    public async Task No_basic_header_opens_the_operator_surfaces_not_even_the_admin_password()
    {
        var client = await app.Client(null);
        foreach (var header in new[] { "Basic anything", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + ThrottledWebApp.AdminPassword)) })
            foreach (var url in new[] { "/api/calls", "/hangfire", "/api/pipeline/status" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = AuthenticationHeaderValue.Parse(header);
                var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{header[..10]}... {url}: {(int)response.StatusCode}");
            }
    }
}
