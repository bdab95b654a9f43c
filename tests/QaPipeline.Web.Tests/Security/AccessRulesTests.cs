using System.Net;
using Dapper;

namespace QaPipeline.Web.Tests;

/// <summary>
/// Row-level and role rules over HTTP, no browser: every forbidden page, API call and download answers 403 or 404
/// (never a page that merely hides a link), POSTs without the anti-forgery token are refused, and the Hangfire
/// dashboard is for admins only. Run on SQLite and PostgreSQL.
/// </summary>
public abstract class AccessRules(WebApp app)
{
    private async Task<(long OwnCall, long OtherAgentsCall, long OtherTeamsCall)> Calls() =>
        (await app.CallWhere("c.agent_id = 'A01'"), await app.CallWhere("c.agent_id = 'A02'"), await app.CallWhere("c.team = '二组'"));

    private static async Task AssertRefused(HttpClient client, string method, string url, params HttpStatusCode[] allowed)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST") request.Content = WebApp.Json(new { });
        var response = await client.SendAsync(request);
        var expected = allowed.Length > 0 ? allowed : [HttpStatusCode.Forbidden, HttpStatusCode.NotFound];
        Assert.True(expected.Contains(response.StatusCode), $"{method} {url} answered {(int)response.StatusCode}, expected {string.Join("/", expected.Select(s => (int)s))}");
    }

    [Fact]
    public async Task An_agent_cannot_reach_another_agents_call_audio_transcript_or_score_nor_other_roles_pages()
    {
        var (own, other, _) = await Calls();
        var agent = await app.Client("agent1");
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync($"/calls/{own}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync($"/api/v1/calls/{own}")).StatusCode);
        foreach (var url in new[] { $"/calls/{other}", $"/calls/{other}/audio", $"/api/v1/calls/{other}", $"/api/v1/calls/{other}/audio",
                     $"/calls/{other}/clip?start=0&end=5", $"/api/calls/{other}", "/api/calls", "/api/pipeline/status",
                     "/queue", "/library", "/calibration", "/dashboard", "/admin", "/hangfire", "/api/v1/queue", "/api/v1/disputes",
                     "/api/v1/library", "/api/v1/dashboard" })
            await AssertRefused(agent, "GET", url);
        var token = await WebApp.CsrfToken(agent);
        agent.DefaultRequestHeaders.Add("X-CSRF-TOKEN", token);
        foreach (var url in new[] { $"/api/v1/calls/{other}/claim", $"/api/v1/calls/{own}/claim", $"/api/v1/calls/{other}/disputes", $"/api/v1/calls/{other}/acknowledge" })
            await AssertRefused(agent, "POST", url, HttpStatusCode.Forbidden, HttpStatusCode.NotFound, HttpStatusCode.BadRequest);
        // The dispute endpoint refuses another agent's call as "no such call", not as a validation error.
        var dispute = await agent.PostAsync($"/api/v1/calls/{other}/disputes", WebApp.Json(new { item = "greeting.opening", reason = "x" }));
        Assert.Equal(HttpStatusCode.NotFound, dispute.StatusCode);
    }

    [Fact]
    public async Task A_monitor_sees_only_their_teams_calls_and_no_admin_or_agent_pages()
    {
        var (own, _, otherTeam) = await Calls();
        var monitor = await app.Client("monitor1");
        Assert.Equal(HttpStatusCode.OK, (await monitor.GetAsync($"/calls/{own}")).StatusCode);
        foreach (var url in new[] { $"/calls/{otherTeam}", $"/calls/{otherTeam}/audio", $"/api/v1/calls/{otherTeam}", "/admin", "/my", "/api/v1/my/calls", "/hangfire", "/api/calls" })
            await AssertRefused(monitor, "GET", url);
        var queue = await monitor.GetStringAsync("/api/v1/queue");
        Assert.DoesNotContain("二组", queue);
        monitor.DefaultRequestHeaders.Add("X-CSRF-TOKEN", await WebApp.CsrfToken(monitor));
        await AssertRefused(monitor, "POST", $"/api/v1/calls/{otherTeam}/claim");
    }

    [Fact]
    public async Task A_trainer_reads_calls_with_personal_numbers_masked_but_cannot_review_or_administer()
    {
        var callId = await app.Db.Run(c => c.ExecuteScalarAsync<long>(
            "SELECT MIN(c.id) FROM calls c JOIN transcripts t ON t.call_id = c.id WHERE t.json LIKE '%13812345678%'"));
        var trainer = await app.Client("trainer1");
        var masked = await trainer.GetStringAsync($"/api/v1/calls/{callId}");
        Assert.DoesNotContain("13812345678", masked);
        Assert.Contains("*******5678", masked);
        var monitorView = await (await app.Client("admin")).GetStringAsync($"/api/v1/calls/{callId}");
        Assert.Contains("13812345678", monitorView);
        foreach (var url in new[] { "/queue", "/admin", "/my", "/hangfire", "/api/v1/queue" })
            await AssertRefused(trainer, "GET", url);
        trainer.DefaultRequestHeaders.Add("X-CSRF-TOKEN", await WebApp.CsrfToken(trainer));
        await AssertRefused(trainer, "POST", $"/api/v1/calls/{callId}/claim");
    }

    [Fact]
    public async Task Anonymous_requests_get_no_data()
    {
        var (own, _, _) = await Calls();
        var anonymous = await app.Client(null);
        foreach (var url in new[] { $"/api/v1/calls/{own}", $"/calls/{own}/audio", "/api/v1/queue", "/hangfire", "/api/calls", $"/api/calls/{own}" })
            await AssertRefused(anonymous, "GET", url, HttpStatusCode.Unauthorized);
        var page = await anonymous.GetAsync("/queue");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", page.Headers.Location!.PathAndQuery);
        var wrong = await anonymous.PostAsync("/api/v1/session", WebApp.Json(new { login = "admin", password = "wrong" }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Posts_without_the_anti_forgery_token_are_rejected()
    {
        var callId = await app.CallWhere("c.team = '一组' AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.call_id = c.id)");
        var monitor = await app.Client("monitor1");
        var api = await monitor.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { }));
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        var form = await monitor.PostAsync($"/calls/{callId}?handler=Claim", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
        var admin = await monitor.PostAsync("/admin?handler=Team", new FormUrlEncodedContent([new("name", "evil")]));
        Assert.True(admin.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden);
        Assert.Equal(0, await app.Db.Run(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reviews WHERE call_id = @callId", new { callId })));

        // With the token the same claim goes through, and the claim is a lock.
        monitor.DefaultRequestHeaders.Add("X-CSRF-TOKEN", await WebApp.CsrfToken(monitor));
        Assert.Equal(HttpStatusCode.OK, (await monitor.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { }))).StatusCode);
        var other = await app.Client("monitor2");
        other.DefaultRequestHeaders.Add("X-CSRF-TOKEN", await WebApp.CsrfToken(other));
        var second = await other.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { }));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("王芳", await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await monitor.PostAsync($"/api/v1/calls/{callId}/release", WebApp.Json(new { }))).StatusCode);
    }

    [Fact]
    public async Task The_jobs_dashboard_is_for_admins_only()
    {
        Assert.Equal(HttpStatusCode.OK, (await (await app.Client("admin")).GetAsync("/hangfire")).StatusCode);
        foreach (var login in new[] { "monitor1", "trainer1", "agent1" })
            Assert.Equal(HttpStatusCode.Forbidden, (await (await app.Client(login)).GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await (await app.Client(null)).GetAsync("/hangfire/jobs/enqueued")).StatusCode);
    }

    [Fact]
    public async Task Machines_upload_with_the_api_key_which_opens_nothing_else_and_people_operate_the_pipeline_as_admins()
    {
        var anonymous = await app.Client(null);
        var admin = await app.Client("admin");
        var monitor = await app.Client("monitor1");
        async Task<(HttpStatusCode Status, string Body)> Send(HttpClient client, HttpMethod method, string url, string? key)
        {
            using var request = new HttpRequestMessage(method, url);
            if (method == HttpMethod.Post) request.Content = new StringContent("not a form");
            if (key is not null) request.Headers.Add("X-Api-Key", key);
            var response = await client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        // Uploads are the machines': no credentials, a wrong key, or a person's cookie (even an admin's) are 401 naming
        // the header; the key lets the request through to the endpoint's own checks (here: not a multipart form).
        foreach (var (client, key) in new[] { (anonymous, (string?)null), (anonymous, "wrong-key"), (admin, null) })
        {
            var refused = await Send(client, HttpMethod.Post, "/api/calls", key);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
            Assert.Contains("X-Api-Key", refused.Body);
        }
        var let = await Send(anonymous, HttpMethod.Post, "/api/calls", WebApp.ApiKey);
        Assert.Equal((HttpStatusCode.BadRequest, "send multipart/form-data with a part named 'audio'"),
            (let.Status, System.Text.Json.JsonDocument.Parse(let.Body).RootElement.GetProperty("error").GetString()));

        // The operator surfaces are people's: an admin, never another role, never the machines' key.
        foreach (var url in new[] { "/hangfire", "/metrics", "/api/calls", "/api/pipeline/status" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Send(anonymous, HttpMethod.Get, url, null)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await Send(anonymous, HttpMethod.Get, url, WebApp.ApiKey)).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await Send(monitor, HttpMethod.Get, url, null)).Status);
            Assert.Equal(HttpStatusCode.OK, (await Send(admin, HttpMethod.Get, url, null)).Status);
        }
        // The API's refusals are its one-line JSON, in both languages.
        Assert.Equal(("sign in first", "请先登录"), Error((await Send(anonymous, HttpMethod.Get, "/api/calls", null)).Body));
        Assert.Equal(("not found or not allowed", "未找到或无权访问"), Error((await Send(monitor, HttpMethod.Get, "/api/pipeline/status", null)).Body));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(anonymous, HttpMethod.Post, "/api/calls/1/retry", WebApp.ApiKey)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(monitor, HttpMethod.Post, "/api/calls/1/retry", null)).Status);
    }

    private static (string?, string?) Error(string json)
    {
        var root = System.Text.Json.JsonDocument.Parse(json).RootElement;
        return (root.GetProperty("error").GetString(), root.GetProperty("error_zh").GetString());
    }

    [Fact]
    public async Task Audio_is_served_with_range_requests_to_authorised_viewers()
    {
        var (own, _, _) = await Calls();
        var agent = await app.Client("agent1");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/calls/{own}/audio");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 199);
        var response = await agent.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(100, (await response.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(100, response.Content.Headers.ContentRange!.From);
    }
}

[Collection("web")]
public sealed class AccessRulesOnSqlite(WebApp app) : AccessRules(app);

public sealed class AccessRulesOnPostgres(PostgresWebApp app) : AccessRules(app), IClassFixture<PostgresWebApp>;
