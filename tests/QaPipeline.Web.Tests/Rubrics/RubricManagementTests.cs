using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Ingest;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Storage;

namespace QaPipeline.Web.Tests.Rubrics;

/// <summary>A centre of its own: these tests add calls dated after a scheduled rubric's date and change the routing
/// table, which must not move the shared centre's dashboards or routing under other tests.</summary>
public sealed class RulesWebApp : WebApp;

/// <summary>
/// Rubric and routing management over HTTP (the browser flow is <see cref="QaLeadRubricTests"/>): a version scheduled
/// from a date scores the calls that start from then and no others, the routing table is edited like a rubric and
/// routes the next call, and the QA lead's permission holds on the server for every page and action.
/// </summary>
public sealed class RubricManagementTests(RulesWebApp app) : IClassFixture<RulesWebApp>
{
    private static string Token(string html) =>
        Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;

    private static async Task<string> Post(HttpClient client, string page, string handler, Dictionary<string, string> form)
    {
        form["__RequestVerificationToken"] = Token(await client.GetStringAsync(page));
        var response = await client.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(form));
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{handler}: {(int)response.StatusCode}");
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Ingests a call with a two-line transcript and runs the score stage on it, as a worker would.</summary>
    private async Task<ScorecardRecord> IngestAndScore(string externalId, DateTime startedAt, string queue = "orders")
    {
        var services = app.Services;
        var wav = WebApp.SilentWav(3);
        BitConverter.GetBytes((short)(externalId.GetHashCode() | 1)).CopyTo(wav, 44); // one stored recording per call
        var ingested = await services.GetRequiredService<CallIngestor>().Ingest(new IngestRequest(new MemoryStream(wav), externalId + ".wav",
            new CallMetadata(externalId, "A01", "一组", queue, "inbound", startedAt, null),
            Encoding.UTF8.GetBytes("坐席：您好，欢迎致电，请问有什么可以帮您？\n客户：我想查快递。\n"), "test"));
        await services.GetRequiredService<CallStages>().Score(ingested.CallId);
        return (await services.GetRequiredService<ResultRepository>().CurrentScorecard(ingested.CallId))!;
    }

    [Fact]
    public async Task A_version_scheduled_from_a_date_scores_the_calls_that_start_from_then_and_shows_as_pending()
    {
        var original = app.Rubric.ActivePath;
        var active = await File.ReadAllTextAsync(original);
        var activeVersion = Regex.Match(active, "(?m)^version: \"([^\"]+)\"").Groups[1].Value;
        var lead = await app.Client("lead1");
        try
        {
            var from = DateTime.UtcNow.Date.AddDays(30);
            await Post(lead, "/rubrics", "Publish", new()
            {
                ["Yaml"] = DirectRescore.GreetingOnlyGoodMorning(active, "2026.12.2"), ["Note"] = "greeting from next month",
                ["Confirm"] = "true", ["AppliesFrom"] = from.ToString("yyyy-MM-dd"),
            });
            Assert.Equal(original, app.Rubric.ActivePath); // the active rubric stays for calls before the date
            Assert.Equal(from, app.Rubric.Scheduled?.From);
            var page = WebUtility.HtmlDecode(await lead.GetStringAsync("/rubrics"));
            Assert.Matches("id=\"rubric-schedule\" data-pending=\"true\">[^<]*<b>zh-CN-2026.12.2.yaml</b>", page);
            Assert.Contains($"<td>2026.12.2</td><td>greeting from next month</td><td>lead1</td>", page);
            Assert.Contains($"{from:yyyy-MM-dd} 00:00 (UTC+00:00)</td></tr>", page);

            Assert.Equal(activeVersion, (await IngestAndScore("SCHED-BEFORE", from.AddMinutes(-1))).RubricVersion);
            Assert.Equal("2026.12.2", (await IngestAndScore("SCHED-FROM", from)).RubricVersion);
            Assert.Equal("2026.12.2", (await IngestAndScore("SCHED-AFTER", from.AddDays(3))).RubricVersion);

            await Post(lead, "/rubrics", "CancelSchedule", []);
            Assert.Null(app.Rubric.Scheduled);
            Assert.DoesNotContain("id=\"rubric-schedule\"", await lead.GetStringAsync("/rubrics"));
            Assert.Equal(activeVersion, (await IngestAndScore("SCHED-CANCELLED", from.AddDays(4))).RubricVersion);
        }
        finally
        {
            await app.Services.GetRequiredService<WebSettings>().Set(CentreSettings.ScheduledRubric, "", "test");
        }
    }

    /// <summary>"Make active" is the lead's latest word, like an immediate publish: a pending switch left in place would
    /// take new calls away from the version just made active on its date, with nothing on the admin page saying so.</summary>
    [Fact]
    public async Task Making_a_version_active_now_cancels_a_pending_schedule_and_says_so_in_the_audit_log()
    {
        var original = app.Options.RubricPath;
        var active = await File.ReadAllTextAsync(original);
        var lead = await app.Client("lead1");
        var admin = await app.Client("admin");
        try
        {
            var from = DateTime.UtcNow.Date.AddDays(30);
            await Post(lead, "/rubrics", "Publish", new()
            {
                ["Yaml"] = DirectRescore.GreetingOnlyGoodMorning(active, "2026.12.4"), ["Note"] = "greeting from next month",
                ["Confirm"] = "true", ["AppliesFrom"] = from.ToString("yyyy-MM-dd"),
            });
            Assert.Equal(from, app.Rubric.Scheduled?.From);

            // The admin makes the scheduled version active now instead of waiting for its date.
            var path = Regex.Match(WebUtility.HtmlDecode(await admin.GetStringAsync("/admin")), "name=\"path\" value=\"([^\"]*zh-CN-2026\\.12\\.4\\.yaml)\"").Groups[1].Value;
            Assert.NotEqual("", path);
            await Post(admin, "/admin", "Rubric", new() { ["path"] = path });

            Assert.Null(app.Rubric.Scheduled);
            Assert.Equal(path, app.Rubric.ActivePath);
            Assert.DoesNotContain("id=\"rubric-schedule\"", await lead.GetStringAsync("/rubrics"));
            Assert.Equal("2026.12.4", (await IngestAndScore("ACTIVE-NOW", DateTime.UtcNow.AddMinutes(-5))).RubricVersion);
            var audited = await app.Db.Run(c => c.QuerySingleAsync<string>(
                "SELECT detail FROM audit_log WHERE action = 'rubric made active' ORDER BY id DESC LIMIT 1"));
            Assert.Equal("version 2026.12.4 (zh-CN-2026.12.4.yaml); schedule of zh-CN-2026.12.4.yaml cancelled", audited);
        }
        finally
        {
            var settings = app.Services.GetRequiredService<WebSettings>();
            await settings.Set(CentreSettings.ScheduledRubric, "", "test");
            await settings.Set(WebSettings.ActiveRubric, original, "test");
        }
    }

    [Fact]
    public async Task The_routing_table_is_checked_at_its_line_diffed_published_with_history_and_routes_the_next_call()
    {
        var library = app.Services.GetRequiredService<QaPipeline.Centre.Rubrics.RubricLibrary>();
        var before = await File.ReadAllTextAsync(library.RoutingPath);
        var lead = await app.Client("lead1");
        try
        {
            Assert.Contains("outbound sales", WebUtility.HtmlDecode(await lead.GetStringAsync("/rubrics/routing")));
            // A rule naming a rubric the folder does not have: refused, with the line, and nothing written.
            var wrong = before.Replace("default: zh-CN", "  - name: vip\n    when: { queue: vip }\n    rubric: no-such-rubric\ndefault: zh-CN");
            var line = wrong.Split('\n').ToList().FindIndex(l => l.Contains("no-such-rubric")) + 1;
            var refused = await Post(lead, "/rubrics/routing", "Publish", new() { ["Yaml"] = wrong, ["Note"] = "vip", ["Confirm"] = "true" });
            Assert.Matches($"id=\"rules-error\" data-line=\"{line}\">routing-candidate.yaml:{line}:[^<]*no-such-rubric", refused);
            Assert.Equal(before, await File.ReadAllTextAsync(library.RoutingPath));

            var vip = before.Replace("default: zh-CN", "  - name: vip\n    when: { queue: vip }\n    rubric: en-US\ndefault: zh-CN");
            var diff = await Post(lead, "/rubrics/routing", "Check", new() { ["Yaml"] = vip });
            Assert.Contains("id=\"routing-valid\"", diff);
            Assert.Contains("<span class=\"diff-add\">+   - name: vip</span>", diff);
            await Post(lead, "/rubrics/routing", "Publish", new() { ["Yaml"] = vip, ["Note"] = "vip line is scored in English" , ["Confirm"] = "true" });
            Assert.Equal(vip, await File.ReadAllTextAsync(library.RoutingPath));
            Assert.Contains("<td>vip line is scored in English</td><td>lead1</td>", WebUtility.HtmlDecode(await lead.GetStringAsync("/rubrics/routing")));
            var kept = await app.Db.Run(c => c.QuerySingleAsync<string>("SELECT path FROM rubric_versions WHERE kind = 'routing'"));
            Assert.Equal(vip, await File.ReadAllTextAsync(kept));

            var startedAt = await app.Db.Run(c => c.ExecuteScalarAsync<DateTime>("SELECT MIN(started_at) FROM calls"));
            var card = await IngestAndScore("ROUTE-VIP", startedAt, queue: "vip");
            Assert.Equal(("en-US", "vip"), (card.RubricId, card.RoutingRule));
        }
        finally
        {
            await File.WriteAllTextAsync(library.RoutingPath, before);
        }
    }

    [Fact]
    public async Task The_qa_lead_manages_rubrics_exports_and_reads_dashboards_but_administers_no_one_and_reviews_nothing()
    {
        var lead = await app.Client("lead1");
        foreach (var url in new[] { "/rubrics", "/admin/rubrics", "/rubrics/routing", "/dashboard", "/api/v1/dashboard", "/exports/scorecards.csv",
                     "/exports/dashboard-items.xlsx" })
            Assert.True((await lead.GetAsync(url)).StatusCode == HttpStatusCode.OK, url);
        // Every call of the centre, with personal numbers masked (the lead's work does not need them).
        var otherTeams = await app.CallWhere("c.team = '二组'");
        var call = await lead.GetStringAsync($"/calls/{otherTeams}");
        Assert.Contains("Phone, ID-card and bank-card numbers are masked for your role.", call);
        Assert.DoesNotContain("id=\"claim\"", call);
        var exported = (await lead.GetStringAsync("/exports/scorecards.csv")).Split('\n').Count(l => l.Length > 0) - 1;
        Assert.Equal(await app.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM calls WHERE status = 'scored'")), exported);

        foreach (var url in new[] { "/admin", "/queue", "/library", "/calibration", "/exports/audit.csv", "/api/v1/queue", "/hangfire" })
            Assert.True((await lead.GetAsync(url)).StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized, url);
        var token = Token(await lead.GetStringAsync("/rubrics"));
        var createUser = await lead.PostAsync("/admin?handler=Create", new FormUrlEncodedContent(new Dictionary<string, string>
            { ["__RequestVerificationToken"] = token, ["login"] = "sneaky", ["displayName"] = "x", ["password"] = "long-enough-1", ["role"] = "admin" }));
        Assert.Equal(HttpStatusCode.Forbidden, createUser.StatusCode);
        Assert.Null(await app.Services.GetRequiredService<UserRepository>().FindByLogin("sneaky"));
        var claim = await lead.PostAsync($"/calls/{otherTeams}?handler=Claim", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Forbidden, claim.StatusCode);
        Assert.Equal(0, await app.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM reviews WHERE reviewer_id = @id", new { id = app.UserId("lead1") })));

        // Monitors, trainers and agents neither see nor change the rules.
        foreach (var login in new[] { "monitor1", "trainer1", "agent1" })
        {
            var other = await app.Client(login);
            foreach (var url in new[] { "/rubrics", "/admin/rubrics", "/rubrics/routing" })
                Assert.True((await other.GetAsync(url)).StatusCode == HttpStatusCode.Forbidden, $"{login} {url}");
            var publish = await other.PostAsync("/rubrics?handler=Publish", new FormUrlEncodedContent(new Dictionary<string, string>
                { ["Yaml"] = "id: x", ["Note"] = "n", ["Confirm"] = "true" }));
            Assert.True(publish.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"{login} publish: {(int)publish.StatusCode}");
        }
        Assert.Equal(0, await app.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rubric_versions WHERE published_by IN ('monitor1', 'trainer1', 'agent1')")));
    }
}
