using System.Net;
using System.Text.Json;
using Dapper;

namespace QaPipeline.Web.Tests;

/// <summary>
/// Reviews are versioned: a finalised review is closed (nobody claims the call again); reopening is an explicit action
/// with a reason by a monitor of the team or an admin, audited; the next review is version 2, keeps what version 1
/// decided unless changed, shows up in the call's review history, and needs the agent's acknowledgement again — on the
/// call page and the agent's call list alike.
/// </summary>
[Collection("web")]
public sealed class ReviewVersionTests(WebApp app)
{
    private static Task<JsonElement> Json(HttpResponseMessage response) => WebApp.JsonOf(response);

    private static string Human(JsonElement call, string item) =>
        call.GetProperty("items").EnumerateArray().First(i => i.GetProperty("id").GetString() == item).GetProperty("human").GetProperty("humanVerdict").GetString()!;

    private static JsonElement? MyCall(JsonElement calls, long callId) =>
        calls.GetProperty("calls").EnumerateArray().First(c => c.GetProperty("callId").GetInt64() == callId).GetProperty("acknowledgedAt") is { ValueKind: not JsonValueKind.Null } at ? at : null;

    [Fact]
    public async Task A_finalised_review_is_closed_until_reopened_with_a_reason_and_the_next_version_needs_a_new_acknowledgement()
    {
        var callId = await app.AddSampleCall("review-versions", dialogue: "s02_no_greeting");
        var monitor1 = await app.ApiClient("monitor1");
        var monitor2 = await app.ApiClient("monitor2");
        var otherTeam = await app.ApiClient("monitor3");
        var agent = await app.ApiClient("agent1");

        // Version 1: monitor1 decides what the machine left open, overrides one passed item to fail, finalises.
        await Json(await monitor1.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { })));
        var call = await Json(await monitor1.GetAsync($"/api/v1/calls/{callId}"));
        var items = call.GetProperty("items").EnumerateArray().ToList();
        foreach (var open in items.Where(i => i.GetProperty("automatic").GetString() == "review"))
            await Json(await monitor1.PostAsync($"/api/v1/calls/{callId}/verdicts",
                WebApp.Json(new { item = open.GetProperty("id").GetString(), verdict = "pass", reason = "heard it" })));
        // A passed item of a category with nothing failed yet, so the override costs points (categories cap deductions).
        var failedCategories = items.Where(i => i.GetProperty("automatic").GetString() is "fail" or "review").Select(i => i.GetProperty("category").GetString()).ToHashSet();
        var overridden = items.First(i => i.GetProperty("automatic").GetString() == "pass" && !i.GetProperty("fatal").GetBoolean()
                                          && !failedCategories.Contains(i.GetProperty("category").GetString())).GetProperty("id").GetString()!;
        await Json(await monitor1.PostAsync($"/api/v1/calls/{callId}/verdicts", WebApp.Json(new { item = overridden, verdict = "fail", reason = "v1: 未按规范执行" })));
        var v1Final = (await Json(await monitor1.PostAsync($"/api/v1/calls/{callId}/finalise", WebApp.Json(new { })))).GetProperty("final_score").GetDouble();

        // Closed: nobody claims it again, not its reviewer, not another monitor of the team; the page offers no claim.
        foreach (var monitor in new[] { monitor1, monitor2 })
        {
            var again = await monitor.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { }));
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains("final", await again.Content.ReadAsStringAsync());
        }
        var page = await (await app.Client("monitor2")).GetStringAsync($"/calls/{callId}");
        Assert.DoesNotContain("id=\"claim\"", page);
        Assert.Contains("id=\"review-final\"", page);

        // The agent acknowledges version 1; both of the agent's views say so.
        await Json(await agent.PostAsync($"/api/v1/calls/{callId}/acknowledge", WebApp.Json(new { })));
        Assert.NotNull(MyCall(await Json(await agent.GetAsync("/api/v1/my/calls")), callId));

        // Reopening needs a reason, and a monitor of the team or an admin.
        Assert.Equal(HttpStatusCode.BadRequest, (await monitor2.PostAsync($"/api/v1/calls/{callId}/reopen", WebApp.Json(new { reason = "  " }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync($"/api/v1/calls/{callId}/reopen", WebApp.Json(new { reason = "我不服" }))).StatusCode);
        Assert.False((await otherTeam.PostAsync($"/api/v1/calls/{callId}/reopen", WebApp.Json(new { reason = "not my team" }))).IsSuccessStatusCode);
        var reopened = await Json(await monitor2.PostAsync($"/api/v1/calls/{callId}/reopen", WebApp.Json(new { reason = "校准会议认为开场白判定过严" })));
        Assert.Equal(1, reopened.GetProperty("reopened_version").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await monitor1.PostAsync($"/api/v1/calls/{callId}/reopen", WebApp.Json(new { reason = "again" }))).StatusCode);
        var audit = await app.Db.Run(c => c.QuerySingleAsync<(string Actor, string Detail)>(
            "SELECT actor, detail FROM audit_log WHERE action = 'reopen' AND entity_id = @id", new { id = callId.ToString() }));
        Assert.Equal("monitor2", audit.Actor);
        Assert.Contains("校准会议认为开场白判定过严", audit.Detail);

        // Version 2 by monitor2: it starts from version 1 (the override stands until changed) and changes one item back.
        await Json(await monitor2.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { })));
        var underway = await Json(await monitor2.GetAsync($"/api/v1/calls/{callId}"));
        Assert.Equal("fail", Human(underway, overridden)); // version 1 stays in force (and on view) while version 2 is drafted
        await Json(await monitor2.PostAsync($"/api/v1/calls/{callId}/verdicts", WebApp.Json(new { item = overridden, verdict = "pass", reason = "v2: 复听确认已执行" })));
        var v2Final = (await Json(await monitor2.PostAsync($"/api/v1/calls/{callId}/finalise", WebApp.Json(new { })))).GetProperty("final_score").GetDouble();
        Assert.True(v2Final > v1Final, $"version 2 ({v2Final}) withdrew version 1's deduction ({v1Final})");

        var after = await Json(await agent.GetAsync($"/api/v1/calls/{callId}"));
        Assert.Equal("pass", Human(after, overridden));
        // Items version 2 did not touch keep version 1's decisions (not the machine's).
        foreach (var open in items.Where(i => i.GetProperty("automatic").GetString() == "review"))
            Assert.Equal("pass", Human(after, open.GetProperty("id").GetString()!));
        var review = after.GetProperty("review");
        Assert.Equal(2, review.GetProperty("version").GetInt32());
        Assert.Equal(JsonValueKind.Null, review.GetProperty("acknowledgedAt").ValueKind);
        Assert.True(review.GetProperty("closed").GetBoolean());

        // The history: who, when, what changed, per version, and the reopen with its reason.
        var history = after.GetProperty("review_history").EnumerateArray().ToList();
        Assert.Equal(2, history.Count);
        Assert.Equal("质检员 王芳", history[0].GetProperty("reviewer").GetString());
        Assert.Contains(history[0].GetProperty("changes").EnumerateArray(), c => c.GetProperty("itemId").GetString() == overridden
            && c.GetProperty("from").GetString() == "pass" && c.GetProperty("to").GetString() == "fail");
        Assert.Equal("质检员 李强", history[0].GetProperty("reopened_by").GetString());
        Assert.Equal("校准会议认为开场白判定过严", history[0].GetProperty("reopen_reason").GetString());
        Assert.NotEqual(JsonValueKind.Null, history[0].GetProperty("acknowledged_at").ValueKind);
        Assert.Equal("质检员 李强", history[1].GetProperty("reviewer").GetString());
        var v2Changes = history[1].GetProperty("changes").EnumerateArray().ToList();
        Assert.Single(v2Changes);
        Assert.Equal((overridden, "fail", "pass"), (v2Changes[0].GetProperty("itemId").GetString(), v2Changes[0].GetProperty("from").GetString(), v2Changes[0].GetProperty("to").GetString()));
        Assert.Equal(v1Final, history[1].GetProperty("score_before").GetDouble(), 2);
        Assert.Equal(v2Final, history[1].GetProperty("final_score").GetDouble(), 2);

        // Acknowledgement belongs to a version: version 2 is unacknowledged on the call page and in the agent's list.
        var agentPage = await (await app.Client("agent1")).GetStringAsync($"/calls/{callId}");
        Assert.Contains("id=\"acknowledge\"", agentPage);
        Assert.Null(MyCall(await Json(await agent.GetAsync("/api/v1/my/calls")), callId));
        Assert.Contains("class=\"review-history\"", agentPage);
        await Json(await agent.PostAsync($"/api/v1/calls/{callId}/acknowledge", WebApp.Json(new { })));
        Assert.NotNull(MyCall(await Json(await agent.GetAsync("/api/v1/my/calls")), callId));
        Assert.DoesNotContain("id=\"acknowledge\"", await (await app.Client("agent1")).GetStringAsync($"/calls/{callId}"));
    }

    [Fact]
    public async Task An_upheld_dispute_on_a_call_nobody_reviewed_is_recorded_but_the_call_stays_open_for_a_full_review()
    {
        // Before: the decision became version 1 "by" the deciding monitor and closed the call to claims (409 "final"),
        // so the call never got the full review a flagged call is due.
        var callId = await app.AddSampleCall("dispute-before-review", dialogue: "s02_no_greeting");
        var agent = await app.ApiClient("agent1");
        var monitor1 = await app.ApiClient("monitor1");
        var monitor2 = await app.ApiClient("monitor2");
        var call = await Json(await agent.GetAsync($"/api/v1/calls/{callId}"));
        var items = call.GetProperty("items").EnumerateArray().ToList();
        var disputed = items.First(i => i.GetProperty("automatic").GetString() == "fail" && !i.GetProperty("fatal").GetBoolean()
                                        && i.GetProperty("deduction").GetDouble() > 0).GetProperty("id").GetString()!;
        var disputeId = (await Json(await agent.PostAsync($"/api/v1/calls/{callId}/disputes",
            WebApp.Json(new { item = disputed, reason = "我问候了客户", claim = "pass" })))).GetProperty("dispute_id").GetInt64();
        await Json(await monitor1.PostAsync($"/api/v1/disputes/{disputeId}/decision", WebApp.Json(new { uphold = true, resolution = "复听确认已问候" })));

        // Recorded: the upheld item counts, and the history says what the version is.
        var decided = await Json(await monitor2.GetAsync($"/api/v1/calls/{callId}"));
        Assert.Equal("pass", Human(decided, disputed));
        Assert.False(decided.GetProperty("review").GetProperty("closed").GetBoolean());
        var only = Assert.Single(decided.GetProperty("review_history").EnumerateArray());
        Assert.True(only.GetProperty("dispute_decision_only").GetBoolean());
        var page = await (await app.Client("monitor2")).GetStringAsync($"/calls/{callId}");
        Assert.Contains("id=\"claim\"", page);
        Assert.DoesNotContain("id=\"review-final\"", page);
        Assert.Contains("class=\"dispute-decision-only\"", page);

        // Still claimable: another monitor of the team gives it its full review, which starts from the decision.
        Assert.True((await monitor2.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { }))).IsSuccessStatusCode);
        foreach (var open in items.Where(i => i.GetProperty("automatic").GetString() == "review"))
            await Json(await monitor2.PostAsync($"/api/v1/calls/{callId}/verdicts",
                WebApp.Json(new { item = open.GetProperty("id").GetString(), verdict = "pass", reason = "复听确认" })));
        await Json(await monitor2.PostAsync($"/api/v1/calls/{callId}/finalise", WebApp.Json(new { })));
        var reviewed = await Json(await agent.GetAsync($"/api/v1/calls/{callId}"));
        Assert.Equal("pass", Human(reviewed, disputed)); // the upheld dispute stands in the full review
        var review = reviewed.GetProperty("review");
        Assert.Equal(2, review.GetProperty("version").GetInt32());
        Assert.True(review.GetProperty("closed").GetBoolean());
        Assert.Equal("质检员 李强", reviewed.GetProperty("review_history")[1].GetProperty("reviewer").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await monitor1.PostAsync($"/api/v1/calls/{callId}/claim", WebApp.Json(new { }))).StatusCode);
    }
}
