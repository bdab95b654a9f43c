using System.Globalization;
using Dapper;
using Microsoft.Playwright;

namespace QaPipeline.Web.Tests;

[Collection("web")]
public sealed class AgentDisputeTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task Agent_sees_only_their_calls_disputes_an_item_and_the_monitor_decides_it()
    {
        var agent = await SignedIn("agent1");
        await agent.GotoAsync("/my");
        var listed = (await agent.Locator("#my-calls tr[data-call]").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.call)")).Select(long.Parse).ToList();
        var mine = (await App.Db.Run(c => c.QueryAsync<long>("SELECT id FROM calls WHERE agent_id = 'A01' ORDER BY id"))).ToList();
        Assert.NotEmpty(listed);
        Assert.Equal(mine, listed.Order().ToList());
        await Screenshot(agent, "my-calls");

        // Another agent's call is not there by URL either: 404, for the page and the recording.
        var other = await App.CallWhere("c.agent_id = 'A02'");
        Assert.Equal(404, (await agent.GotoAsync($"/calls/{other}"))!.Status);
        await Assertions.Expect(agent.Locator("body")).ToContainTextAsync("not found or not allowed");
        Assert.Equal(404, (await agent.APIRequest.GetAsync($"/calls/{other}/audio")).Status);

        // Dispute a failed item of one of the agent's own calls.
        var callId = await App.CallWhere("c.agent_id = 'A01' AND EXISTS (SELECT 1 FROM scorecard_items i WHERE i.call_id = c.id AND i.verdict = 'fail') " +
                                         "AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.call_id = c.id AND r.status = 'draft')");
        await agent.GotoAsync($"/calls/{callId}");
        var failedRow = agent.Locator("tr.item.v-fail").First;
        var item = (await failedRow.GetAttributeAsync("data-item"))!;
        await failedRow.Locator("details.dispute-box summary").ClickAsync();
        await failedRow.Locator("input[name=reason]").FillAsync("我在通话开头已经问候了客户");
        await failedRow.Locator("details.dispute-box button[type=submit]").ClickAsync();
        await Assertions.Expect(agent.Locator("#disputes .dispute.open")).ToContainTextAsync(item);

        // It reaches the monitors of the agent's team, in their queue.
        var monitor = await SignedIn("monitor1");
        await monitor.GotoAsync("/queue");
        await Assertions.Expect(monitor.Locator("#dispute-queue")).ToContainTextAsync(item);
        await monitor.ClickAsync($"#dispute-queue a[href^='/calls/{callId}']");
        var dispute = monitor.Locator("#disputes .dispute.open").First;
        await dispute.Locator("input[name=resolution]").FillAsync("录音开头确有问候，申诉成立");
        await dispute.Locator("button[value=true]").ClickAsync();
        await Assertions.Expect(monitor.Locator("#disputes .dispute.upheld")).ToContainTextAsync("申诉成立");

        // The outcome is recorded: the item now passes in the human review, the final score is set, and it is audited.
        var outcome = await App.Db.Run(c => c.QuerySingleAsync<(string Status, long? ResolvedBy)>(
            "SELECT status, resolved_by FROM disputes WHERE call_id = @callId AND item_id = @item", new { callId, item }));
        Assert.Equal(("upheld", (long?)App.UserId("monitor1")), outcome);
        var human = await App.Db.Run(c => c.ExecuteScalarAsync<string>("""
            SELECT v.human_verdict FROM review_item_verdicts v JOIN reviews r ON r.id = v.review_id
            WHERE r.call_id = @callId AND r.status = 'submitted' AND v.item_id = @item
            """, new { callId, item }));
        Assert.Equal("pass", human);
        Assert.True(await App.Db.Run(c => c.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'dispute upheld' AND actor = 'monitor1' AND entity_id = @id", new { id = callId.ToString() })) == 1);

        // The agent sees the outcome and acknowledges the review.
        await agent.GotoAsync($"/calls/{callId}");
        await Assertions.Expect(agent.Locator("#disputes .dispute.upheld")).ToBeVisibleAsync();
        await agent.ClickAsync("#acknowledge");
        Assert.Equal(1, await App.Db.Run(c => c.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM reviews WHERE call_id = @callId AND acknowledged_at IS NOT NULL", new { callId })));
    }
}
