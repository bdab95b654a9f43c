using System.Net;
using System.Text.Json;
using Dapper;

namespace QaPipeline.Web.Tests;

/// <summary>The JSON API end to end — review, dispute, calibration — and every page rendering, on each engine.</summary>
public abstract class ApiWorkflow(WebApp app)
{
    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<HttpClient> Api(string login)
    {
        var client = await app.Client(login);
        client.DefaultRequestHeaders.Add("X-CSRF-TOKEN", await WebApp.CsrfToken(client));
        return client;
    }

    [Fact]
    public async Task Every_page_renders_for_the_roles_that_use_it()
    {
        var callId = await app.CallWhere("c.agent_id = 'A01'");
        var pages = new Dictionary<string, string[]>
        {
            ["admin"] = ["/queue", "/queue?band=0-60&item=greeting.opening&reason=fatal&team=一组&from=2026-01-01&to=2026-12-31", $"/calls/{callId}",
                "/library?item=greeting.opening&verdict=fail&phrase=您好&minScore=0&maxScore=100", "/calibration", "/dashboard", "/dashboard?team=一组", "/admin",
                "/api/v1/dashboard", "/api/v1/disputes"],
            ["monitor1"] = ["/queue", $"/calls/{callId}", "/dashboard"],
            ["trainer1"] = ["/library", $"/calls/{callId}", "/calibration"],
            ["agent1"] = ["/my", $"/calls/{callId}", "/api/v1/my/calls"],
        };
        foreach (var (login, urls) in pages)
        {
            var client = await app.Client(login);
            foreach (var url in urls)
            {
                var response = await client.GetAsync(url);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{login} GET {url}: {(int)response.StatusCode} {string.Join("\n", app.Errors)}");
            }
        }
    }

    [Fact]
    public async Task Queue_filters_return_exactly_the_flagged_calls_that_match()
    {
        var admin = await app.Client("admin");
        async Task<List<long>> Queue(string query) =>
            (await Json(await admin.GetAsync("/api/v1/queue?" + query))).GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("callId").GetInt64()).Order().ToList();
        async Task<List<long>> Sql(string condition) =>
            (await app.Db.Run(c => c.QueryAsync<long>($"""
                SELECT DISTINCT c.id FROM calls c JOIN scorecards s ON s.call_id = c.id
                WHERE EXISTS (SELECT 1 FROM review_flags f WHERE f.call_id = c.id AND f.status <> 'closed') AND {condition}
                ORDER BY c.id
                """))).ToList();
        Assert.Equal(await Sql("c.team = '二组'"), await Queue("team=二组"));
        Assert.Equal(await Sql("c.agent_id = 'A01'"), await Queue("agent=A01"));
        Assert.Equal(await Sql("c.queue = 'billing'"), await Queue("queueName=billing"));
        Assert.Equal(await Sql("s.score * 100 < 60 * s.max_score"), await Queue("band=0-60"));
        Assert.Equal(await Sql("EXISTS (SELECT 1 FROM review_flags f WHERE f.call_id = c.id AND f.reason = 'fatal' AND f.status <> 'closed')"), await Queue("reason=fatal"));
        Assert.Equal(await Sql("EXISTS (SELECT 1 FROM scorecard_items i WHERE i.scorecard_id = s.id AND i.item_id = 'greeting.opening' AND i.verdict IN ('fail', 'review'))"),
            await Queue("item=greeting.opening"));
        var marchCalls = await Queue("from=2026-03-10T00:00:00Z&to=2026-03-20T00:00:00Z");
        Assert.NotEmpty(marchCalls);
        Assert.Equal(await app.Db.Run(c => c.QueryAsync<long>("""
            SELECT DISTINCT c.id FROM calls c WHERE c.started_at >= @from AND c.started_at < @to
              AND EXISTS (SELECT 1 FROM review_flags f WHERE f.call_id = c.id AND f.status <> 'closed') ORDER BY c.id
            """, new { from = new DateTime(2026, 3, 10, 0, 0, 0, DateTimeKind.Utc), to = new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc) })), marchCalls);
        // Most serious first: every fatal call comes before every call flagged only for lesser reasons.
        var ordered = (await Json(await admin.GetAsync("/api/v1/queue"))).GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("priority").GetInt32()).ToList();
        Assert.Equal(ordered.Order().ToList(), ordered);
    }

    [Fact]
    public async Task Dashboard_figures_match_the_database()
    {
        var admin = await app.Client("admin");
        var d = await Json(await admin.GetAsync("/api/v1/dashboard"));
        var calls = d.GetProperty("weekly").EnumerateArray().Sum(w => w.GetProperty("calls").GetInt32());
        Assert.Equal(await app.Db.Run(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM calls")), calls);
        var greeting = d.GetProperty("item_failures").EnumerateArray().First(i => i.GetProperty("itemId").GetString() == "greeting.opening");
        // The verdict that counts: the current review version's where a person reviewed the call, else the machine's.
        var (judged, failed) = await app.Db.Run(c => c.QuerySingleAsync<(long, long)>("""
            SELECT SUM(CASE WHEN COALESCE(hv.human_verdict, i.verdict) IN ('pass', 'fail') THEN 1 ELSE 0 END),
                   SUM(CASE WHEN COALESCE(hv.human_verdict, i.verdict) = 'fail' THEN 1 ELSE 0 END)
            FROM scorecard_items i JOIN scorecards s ON s.id = i.scorecard_id AND s.is_current = @yes
            LEFT JOIN review_item_verdicts hv ON hv.item_id = i.item_id
                 AND hv.review_id = (SELECT MAX(r.id) FROM reviews r WHERE r.call_id = s.call_id AND r.status = 'submitted')
            WHERE i.item_id = 'greeting.opening'
            """, new { yes = true }));
        Assert.Equal((judged, failed), (greeting.GetProperty("judged").GetInt64(), greeting.GetProperty("failed").GetInt64()));
        var reviewed = d.GetProperty("monitoring").EnumerateArray().Sum(m => m.GetProperty("reviewed").GetInt64());
        Assert.Equal(await app.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT call_id) FROM reviews WHERE status = 'submitted'")), reviewed);
    }

    [Fact]
    public async Task A_review_and_a_dispute_go_through_the_api()
    {
        var callId = await app.CallWhere("c.agent_id = 'A02' AND EXISTS (SELECT 1 FROM scorecard_items i WHERE i.call_id = c.id AND i.verdict = 'pass') " +
                                         "AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.call_id = c.id)");
        var monitor = await Api("monitor2");
        await Json(await monitor.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { })));
        var call = await Json(await monitor.GetAsync($"/api/v1/calls/{callId}"));
        var items = call.GetProperty("items").EnumerateArray().ToList();
        var passed = items.First(i => i.GetProperty("automatic").GetString() == "pass").GetProperty("id").GetString()!;
        foreach (var review in items.Where(i => i.GetProperty("automatic").GetString() == "review"))
            await Json(await monitor.PostAsync($"/api/v1/calls/{callId}/verdicts", WebApp.Json(new { item = review.GetProperty("id").GetString(), verdict = "pass" })));
        var refused = await monitor.PostAsync($"/api/v1/calls/{callId}/verdicts", WebApp.Json(new { item = passed, verdict = "fail" }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        await Json(await monitor.PostAsync($"/api/v1/calls/{callId}/verdicts", WebApp.Json(new { item = passed, verdict = "fail", reason = "heard at 0:03" })));
        await Json(await monitor.PostAsync($"/api/v1/calls/{callId}/comments", WebApp.Json(new { at = 3.5, body = "语速过快" })));
        var final = (await Json(await monitor.PostAsync($"/api/v1/calls/{callId}/finalise", WebApp.Json(new { })))).GetProperty("final_score").GetDouble();
        var automatic = call.GetProperty("automatic").GetProperty("score").GetDouble();
        Assert.True(final < automatic || automatic == 0);

        var agent = await Api("agent2");
        var disputeId = (await Json(await agent.PostAsync($"/api/v1/calls/{callId}/disputes", WebApp.Json(new { item = passed, reason = "我没有漏掉" })))).GetProperty("dispute_id").GetInt64();
        var open = await Json(await monitor.GetAsync("/api/v1/disputes"));
        Assert.Contains(open.EnumerateArray(), d => d.GetProperty("id").GetInt64() == disputeId);
        await Json(await monitor.PostAsync($"/api/v1/disputes/{disputeId}/decision", WebApp.Json(new { uphold = true, resolution = "复听后确认" })));
        var after = await Json(await agent.GetAsync($"/api/v1/calls/{callId}"));
        Assert.Equal("pass", after.GetProperty("items").EnumerateArray().First(i => i.GetProperty("id").GetString() == passed).GetProperty("human").GetProperty("humanVerdict").GetString());
        Assert.Equal(automatic, after.GetProperty("review").GetProperty("finalScore").GetDouble(), 2);
        await Json(await agent.PostAsync($"/api/v1/calls/{callId}/acknowledge", WebApp.Json(new { })));
        var actions = (await app.Db.Run(c => c.QueryAsync<string>("SELECT action FROM audit_log WHERE entity_id = @id ORDER BY id", new { id = callId.ToString() }))).ToList();
        Assert.Equal(["override", "finalise", "dispute", "dispute upheld", "acknowledge"], actions);
    }

    [Fact]
    public async Task A_blind_calibration_session_goes_through_the_api()
    {
        var calls = (await app.Db.Run(c => c.QueryAsync<long>("SELECT id FROM calls WHERE team = '二组' ORDER BY id"))).Take(2).ToArray();
        var lead = await Api("monitor3");
        var raters = new[] { "monitor1", "monitor2", "monitor3" };
        var sessionId = (await Json(await lead.PostAsync("/api/v1/calibration", WebApp.Json(new { name = "API 校准", calls, participants = raters.Select(app.UserId).ToArray() }))))
            .GetProperty("session_id").GetInt64();
        foreach (var (login, i) in raters.Select((r, i) => (r, i)))
        {
            var rater = login == "monitor3" ? lead : await Api(login);
            var view = await Json(await rater.GetAsync($"/api/v1/calls/{calls[0]}"));
            Assert.True(view.GetProperty("blind").GetBoolean());
            var session = await Json(await rater.GetAsync($"/api/v1/calibration/{sessionId}"));
            Assert.Equal(0, session.GetProperty("grid").GetArrayLength());
            foreach (var call in calls)
            {
                var items = (await app.Db.Run(c => c.QueryAsync<string>(
                    "SELECT i.item_id FROM scorecard_items i JOIN scorecards s ON s.id = i.scorecard_id AND s.is_current = @yes WHERE s.call_id = @call", new { call, yes = true }))).ToList();
                var verdicts = items.Select((item, k) => (item, v: (k + i) % 5 == 0 ? "fail" : "pass")).ToDictionary(x => x.item, x => x.v);
                await Json(await rater.PostAsync($"/api/v1/calibration/{sessionId}/scores", WebApp.Json(new { callId = call, verdicts })));
            }
            if (login != "monitor3") await Json(await rater.PostAsync($"/api/v1/calibration/{sessionId}/submit", WebApp.Json(new { })));
        }
        Assert.Equal(HttpStatusCode.Conflict, (await lead.PostAsync($"/api/v1/calibration/{sessionId}/reveal", WebApp.Json(new { }))).StatusCode);
        await Json(await lead.PostAsync($"/api/v1/calibration/{sessionId}/submit", WebApp.Json(new { })));
        await Json(await lead.PostAsync($"/api/v1/calibration/{sessionId}/reveal", WebApp.Json(new { })));
        var revealed = await Json(await lead.GetAsync($"/api/v1/calibration/{sessionId}"));
        Assert.True(revealed.GetProperty("grid").GetArrayLength() > 0);
        Assert.Equal(JsonValueKind.Number, revealed.GetProperty("agreement").GetProperty("krippendorff_alpha").ValueKind);
        var row = revealed.GetProperty("grid")[0];
        await Json(await lead.PostAsync($"/api/v1/calibration/{sessionId}/agreed", WebApp.Json(new { callId = row.GetProperty("callId").GetInt64(), item = row.GetProperty("itemId").GetString(), verdict = "pass" })));
        // A rater who is not the lead cannot record decisions.
        var other = await Api("monitor1");
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsync($"/api/v1/calibration/{sessionId}/agreed",
            WebApp.Json(new { callId = row.GetProperty("callId").GetInt64(), item = row.GetProperty("itemId").GetString(), verdict = "fail" }))).StatusCode);
    }
}

[Collection("web")]
public sealed class ApiWorkflowOnSqlite(WebApp app) : ApiWorkflow(app);

public sealed class ApiWorkflowOnPostgres(PostgresWebApp app) : ApiWorkflow(app), IClassFixture<PostgresWebApp>;
