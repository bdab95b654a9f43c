using System.Net;
using System.Text.Json;
using Dapper;

namespace QaPipeline.Web.Tests;

/// <summary>
/// Disputes withdraw deductions, never add them: an agent may dispute only an item that cost points or is in review;
/// upholding makes the item what the agent claims (pass, or n/a) and raises the final score by what it had cost; the
/// verdict and score before and after are audited and shown to the agent.
/// </summary>
[Collection("web")]
public sealed class DisputeOutcomeTests(WebApp app)
{
    private static Task<JsonElement> Json(HttpResponseMessage response) => WebApp.JsonOf(response);

    private Task<HttpClient> Api(string login) => app.ApiClient(login);

    private static IEnumerable<JsonElement> Items(JsonElement call, string automatic) =>
        call.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("automatic").GetString() == automatic);

    [Fact]
    public async Task Upholding_a_dispute_withdraws_the_deduction_and_never_turns_a_pass_into_a_fail()
    {
        // A call of agent1 where the opening greeting is missing: at least one item failed, others passed.
        var callId = await app.AddSampleCall("dispute-outcome", dialogue: "s02_no_greeting");
        var agent = await Api("agent1");
        var monitor = await Api("monitor1");
        var call = await Json(await agent.GetAsync($"/api/v1/calls/{callId}"));
        var automatic = call.GetProperty("automatic").GetProperty("score").GetDouble();
        var failed = Items(call, "fail").Where(i => !i.GetProperty("fatal").GetBoolean() && i.GetProperty("deduction").GetDouble() > 0).ToList();
        Assert.True(failed.Count >= 2, "the no-greeting call should fail two items that cost points");
        var passed = Items(call, "pass").First().GetProperty("id").GetString()!;

        // A passed or n/a item has no deduction to withdraw: no dispute.
        var refused = await agent.PostAsync($"/api/v1/calls/{callId}/disputes", WebApp.Json(new { item = passed, reason = "我也要申诉" }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("cost points", await refused.Content.ReadAsStringAsync());
        if (Items(call, "na").FirstOrDefault() is { ValueKind: JsonValueKind.Object } na)
            Assert.Equal(HttpStatusCode.BadRequest, (await agent.PostAsync($"/api/v1/calls/{callId}/disputes",
                WebApp.Json(new { item = na.GetProperty("id").GetString(), reason = "不适用也申诉" }))).StatusCode);
        // The page offers Dispute on exactly the items that cost points or are in review.
        var html = await (await app.Client("agent1")).GetStringAsync($"/calls/{callId}");
        Assert.Equal(Items(call, "fail").Count() + Items(call, "review").Count(), System.Text.RegularExpressions.Regex.Matches(html, "class=\"dispute-box\"").Count);

        // Uphold "it should pass" on one failed item, "it does not apply" on another.
        var first = failed[0].GetProperty("id").GetString()!;
        var firstCost = failed[0].GetProperty("deduction").GetDouble();
        var second = failed[1].GetProperty("id").GetString()!;
        var secondCost = failed[1].GetProperty("deduction").GetDouble();
        var d1 = (await Json(await agent.PostAsync($"/api/v1/calls/{callId}/disputes", WebApp.Json(new { item = first, reason = "我问候了", claim = "pass" })))).GetProperty("dispute_id").GetInt64();
        await Json(await monitor.PostAsync($"/api/v1/disputes/{d1}/decision", WebApp.Json(new { uphold = true, resolution = "复听确认" })));
        var d2 = (await Json(await agent.PostAsync($"/api/v1/calls/{callId}/disputes", WebApp.Json(new { item = second, reason = "本通话不涉及", claim = "na" })))).GetProperty("dispute_id").GetInt64();
        await Json(await monitor.PostAsync($"/api/v1/disputes/{d2}/decision", WebApp.Json(new { uphold = true, resolution = "确实不适用" })));

        var after = await Json(await agent.GetAsync($"/api/v1/calls/{callId}"));
        string Human(string id) => after.GetProperty("items").EnumerateArray().First(i => i.GetProperty("id").GetString() == id).GetProperty("human").GetProperty("humanVerdict").GetString()!;
        Assert.Equal("pass", Human(first));
        Assert.Equal("na", Human(second));
        Assert.Equal("pass", Human(passed)); // untouched items keep their verdicts: nothing became a fail
        var final = after.GetProperty("review").GetProperty("finalScore").GetDouble();
        Assert.True(final >= automatic + firstCost, $"final {final} should have regained {firstCost} over {automatic}");

        // The agent sees each change: verdict and final score before and after.
        var shown = after.GetProperty("disputes").EnumerateArray().ToDictionary(d => d.GetProperty("id").GetInt64());
        Assert.Equal(("fail", "pass"), (shown[d1].GetProperty("verdict_before").GetString(), shown[d1].GetProperty("verdict_after").GetString()));
        Assert.Equal(automatic, shown[d1].GetProperty("score_before").GetDouble(), 2);
        Assert.Equal(automatic + firstCost, shown[d1].GetProperty("score_after").GetDouble(), 2);
        Assert.Equal(("fail", "na"), (shown[d2].GetProperty("verdict_before").GetString(), shown[d2].GetProperty("verdict_after").GetString()));
        Assert.Equal(final, shown[d2].GetProperty("score_after").GetDouble(), 2);
        Assert.True(shown[d2].GetProperty("score_after").GetDouble() > shown[d2].GetProperty("score_before").GetDouble() || secondCost == 0);
        var agentPage = await (await app.Client("agent1")).GetStringAsync($"/calls/{callId}");
        Assert.Matches(@"class=""dispute-change"">Item: fail → pass;\s*final score: [0-9.]+ → [0-9.]+", agentPage);

        // And the audit log has the decision with both changes.
        var audit = (await app.Db.Run(c => c.QueryAsync<string>(
            "SELECT detail FROM audit_log WHERE action = 'dispute upheld' AND entity_id = @id ORDER BY id", new { id = callId.ToString() }))).ToList();
        Assert.Equal(2, audit.Count);
        Assert.Contains($"{first}: fail -> pass; final score {automatic:0.##} -> {automatic + firstCost:0.##}", audit[0]);
        Assert.Contains($"{second}: fail -> na", audit[1]);
    }
}
