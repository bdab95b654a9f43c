using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Dashboards;

namespace QaPipeline.Web.Tests;

/// <summary>
/// The dashboards count what the QA process decided: the human final score where a call was reviewed (an upheld
/// dispute raises it), else the automatic one; a pass is the rubric's own pass score, not a fixed 80; a date range
/// chooses the calls; every rate has its sample size; agents have their own table.
/// </summary>
[Collection("web")]
public sealed class DashboardScoreTests(WebApp app)
{
    private const string Team = "八组";
    private static Task<JsonElement> Json(HttpResponseMessage response) => WebApp.JsonOf(response);

    [Fact]
    public async Task Dashboards_average_the_score_that_counts_and_pass_at_the_rubrics_pass_score_within_the_date_range()
    {
        // Two calls of agent A01 in a team of their own, both on 2026-03-20 (the day AddCall gives every call).
        var reviewed = await app.AddSampleCall("dash-reviewed", team: Team);
        var disputed = await app.AddSampleCall("dash-disputed", team: Team, dialogue: "s02_no_greeting");
        var admin = await app.ApiClient("admin");
        var agent = await app.ApiClient("agent1");

        // The first call is reviewed: every item that passed is overridden to fail (far more than one dispute gives back).
        await Json(await admin.PostAsync($"/api/v1/calls/{reviewed}/claim", WebApp.Json(new { })));
        var call = await Json(await admin.GetAsync($"/api/v1/calls/{reviewed}"));
        var items = call.GetProperty("items").EnumerateArray().ToList();
        foreach (var open in items.Where(i => i.GetProperty("automatic").GetString() == "review"))
            await Json(await admin.PostAsync($"/api/v1/calls/{reviewed}/verdicts", WebApp.Json(new { item = open.GetProperty("id").GetString(), verdict = "pass", reason = "ok" })));
        foreach (var passed in items.Where(i => i.GetProperty("automatic").GetString() == "pass" && !i.GetProperty("fatal").GetBoolean()))
            await Json(await admin.PostAsync($"/api/v1/calls/{reviewed}/verdicts", WebApp.Json(new { item = passed.GetProperty("id").GetString(), verdict = "fail", reason = "missed" })));
        var reviewedFinal = (await Json(await admin.PostAsync($"/api/v1/calls/{reviewed}/finalise", WebApp.Json(new { })))).GetProperty("final_score").GetDouble();

        // The second is not reviewed, but an upheld dispute withdraws one of its deductions.
        var second = await Json(await agent.GetAsync($"/api/v1/calls/{disputed}"));
        var automaticSecond = second.GetProperty("automatic").GetProperty("score").GetDouble();
        var failed = second.GetProperty("items").EnumerateArray().First(i => i.GetProperty("automatic").GetString() == "fail"
            && !i.GetProperty("fatal").GetBoolean() && i.GetProperty("deduction").GetDouble() > 0).GetProperty("id").GetString();
        var dispute = (await Json(await agent.PostAsync($"/api/v1/calls/{disputed}/disputes", WebApp.Json(new { item = failed, reason = "我问候了", claim = "pass" })))).GetProperty("dispute_id").GetInt64();
        await Json(await admin.PostAsync($"/api/v1/disputes/{dispute}/decision", WebApp.Json(new { uphold = true, resolution = "复听确认" })));
        var disputedFinal = (await Json(await agent.GetAsync($"/api/v1/calls/{disputed}"))).GetProperty("review").GetProperty("finalScore").GetDouble();
        Assert.True(disputedFinal > automaticSecond);
        var automaticFirst = call.GetProperty("automatic").GetProperty("score").GetDouble();
        var maxScore = call.GetProperty("automatic").GetProperty("maxScore").GetDouble();

        var d = await Json(await admin.GetAsync($"/api/v1/dashboard?team={Uri.EscapeDataString(Team)}&from=2026-03-20&to=2026-03-20"));
        var pass = d.GetProperty("pass_marks").EnumerateArray().First(m => m.GetProperty("rubric_id").GetString() == call.GetProperty("automatic").GetProperty("rubricId").GetString())
            .GetProperty("pass_score").GetDouble();
        var agentRow = Assert.Single(d.GetProperty("agents").EnumerateArray());
        Assert.Equal("A01", agentRow.GetProperty("agent_id").GetString());
        Assert.Equal(2, agentRow.GetProperty("calls").GetInt64());
        Assert.Equal(2, agentRow.GetProperty("reviewed").GetInt64());
        Assert.Equal(1, agentRow.GetProperty("upheld_disputes").GetInt64());
        // The average of the final scores, not of the automatic ones.
        Assert.Equal(100 * (reviewedFinal + disputedFinal) / (2 * maxScore), agentRow.GetProperty("avg_percent").GetDouble(), 3);
        Assert.NotEqual(100 * (automaticFirst + automaticSecond) / (2 * maxScore), agentRow.GetProperty("avg_percent").GetDouble(), 3);
        Assert.Equal(new[] { reviewedFinal, disputedFinal }.Count(f => f >= pass), agentRow.GetProperty("passed").GetInt64());
        var week = Assert.Single(d.GetProperty("weekly").EnumerateArray());
        Assert.Equal(("2026-W12", "A01", 2), (week.GetProperty("week").GetString(), week.GetProperty("group").GetString(), week.GetProperty("calls").GetInt32()));

        // The range chooses the calls; a backwards or absurd range is a 400.
        var later = await Json(await admin.GetAsync($"/api/v1/dashboard?team={Uri.EscapeDataString(Team)}&from=2026-03-21&to=2026-04-30"));
        Assert.Empty(later.GetProperty("agents").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/dashboard?from=2026-03-21&to=2026-03-20")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/dashboard?to=9999-12-31")).StatusCode);

        // The pass mark is the rubric's: the same calls under a copy of the rubric with another pass score count differently.
        var finals = new[] { reviewedFinal, disputedFinal };
        var atRubric = finals.Count(f => f >= pass);
        var otherPass = atRubric > 0 ? Math.Min(maxScore, finals.Max() + 0.5) : Math.Max(0, finals.Min() - 0.5);
        var folder = Directory.CreateTempSubdirectory("qa-pass-score-");
        try
        {
            var yaml = await File.ReadAllTextAsync(app.Options.RubricPath);
            var copy = Path.Combine(folder.FullName, Path.GetFileName(app.Options.RubricPath));
            await File.WriteAllTextAsync(copy, System.Text.RegularExpressions.Regex.Replace(yaml, @"(?m)^pass_score:.*$",
                $"pass_score: {otherPass.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
            var dashboard = new QaDashboard(app.Services.GetRequiredService<ReportRepository>(), new RubricCatalog(Selecting(copy)),
                app.Services.GetRequiredService<WebSettings>(), TimeProvider.System);
            var viewer = new Viewer(app.UserId("admin"), "admin", "admin", new HashSet<string> { Role.Admin }, null, []);
            var other = await dashboard.Load(viewer, Team, new DateTime(2026, 3, 20, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 3, 21, 0, 0, 0, DateTimeKind.Utc));
            Assert.Equal(finals.Count(f => f >= otherPass), Assert.Single(other.Agents).Passed);
            Assert.NotEqual(atRubric, Assert.Single(other.Agents).Passed);
        }
        finally { folder.Delete(true); }
    }

    /// <summary>A rubric choice fixed to one file (the admin's live choice, for a catalog outside the app).</summary>
    private static IOptionsMonitor<RubricSelection> Selecting(string path) =>
        new OptionsMonitor<RubricSelection>(
            new OptionsFactory<RubricSelection>([new ConfigureOptions<RubricSelection>(o => o.ActivePath = path)], []), [], new OptionsCache<RubricSelection>());
}
