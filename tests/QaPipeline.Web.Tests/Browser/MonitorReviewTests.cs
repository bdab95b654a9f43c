using System.Globalization;
using Dapper;
using Microsoft.Playwright;

namespace QaPipeline.Web.Tests;

[Collection("web")]
public sealed class MonitorReviewTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task Monitor_claims_a_flagged_call_plays_it_overrides_an_item_with_a_reason_and_finalises()
    {
        var page = await SignedIn("monitor1");
        await page.GotoAsync("/queue");
        await Screenshot(page, "queue");
        // The queue lists flagged calls of the monitor's team only, most serious first.
        var rows = page.Locator("#queue tr[data-call]");
        Assert.True(await rows.CountAsync() > 0, "monitor1's queue is empty");
        var listed = (await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.call)")).Select(long.Parse).ToList();
        var teams = await App.Db.Run(c => c.QueryAsync<string>("SELECT DISTINCT team FROM calls WHERE id IN @listed", new { listed }));
        Assert.Equal(["一组"], teams);

        var first = rows.Filter(new LocatorFilterOptions { Has = page.Locator("button.claim") }).First;
        var callId = long.Parse((await first.GetAttributeAsync("data-call"))!, CultureInfo.InvariantCulture);
        await first.Locator("button.claim").ClickAsync();
        await AtUrl(page, $"/calls/{callId}([?#]|$)");
        Assert.Equal(1, await App.Db.Run(c => c.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM reviews WHERE call_id = @callId AND status = 'draft' AND reviewer_id = @me", new { callId, me = App.UserId("monitor1") })));

        // The waveform is drawn by the bundled wavesurfer.js and the recording plays (range requests).
        await page.WaitForSelectorAsync("#waveform[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 60_000 });
        await page.ClickAsync("#play");
        await page.WaitForFunctionAsync("() => document.getElementById('audio').currentTime > 0.3", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        await page.ClickAsync("#play");

        // Items the machine left undecided are decided; one automatic verdict is overridden with a reason.
        foreach (var row in await page.Locator("tr.item.v-review").AllAsync())
            await Decide(page, (await row.GetAttributeAsync("data-item"))!, "pass", "checked by listening");
        var passed = page.Locator("tr.item.v-pass").First;
        var overridden = (await passed.GetAttributeAsync("data-item"))!;
        // Without a reason the override is refused.
        await Decide(page, overridden, "fail", "");
        await Expect(page.Locator("p.error")).ToContainTextAsync("reason");
        await Decide(page, overridden, "fail", "agent skipped it, heard at 0:05");
        await Expect(page.Locator($"#item-{Css(overridden)} .saved")).ToContainTextAsync("fail");
        await Screenshot(page, "call-page");

        var automatic = double.Parse((await page.InnerTextAsync("#auto-score")).Split('/')[0], CultureInfo.InvariantCulture);
        await page.ClickAsync("#finalise");
        await AtUrl(page, $"/calls/{callId}([?#]|$)");
        await Expect(page.Locator("#final-score")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9.]+$")); // the finalised page
        var final = double.Parse(await page.InnerTextAsync("#final-score"), CultureInfo.InvariantCulture);
        Assert.True(final < automatic || automatic == 0, $"final {final} should be below the automatic {automatic} after a pass→fail override");
        // Automatic and human verdicts side by side: the overridden row shows both.
        await Expect(page.Locator($"#item-{Css(overridden)} td.auto")).ToContainTextAsync("pass");
        await Expect(page.Locator($"#item-{Css(overridden)} td.human")).ToContainTextAsync("fail");

        var review = await App.Db.Run(c => c.QuerySingleAsync<(string Status, double FinalScore)>(
            "SELECT status, final_score FROM reviews WHERE call_id = @callId ORDER BY id DESC LIMIT 1", new { callId }));
        Assert.Equal(("submitted", final), review);
        var audit = await App.Db.Run(c => c.QueryAsync<string>(
            "SELECT detail FROM audit_log WHERE action = 'override' AND entity_id = @id AND actor = 'monitor1'", new { id = callId.ToString() }));
        Assert.Contains(audit, d => d!.Contains(overridden) && d.Contains("agent skipped it"));
        Assert.Equal(0, await App.Db.Run(c => c.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM review_flags WHERE call_id = @callId AND status <> 'closed'", new { callId })));
    }

    [Fact]
    public async Task A_call_claimed_by_one_monitor_cannot_be_claimed_by_another()
    {
        var callId = await App.CallWhere("c.team = '一组' AND EXISTS (SELECT 1 FROM review_flags f WHERE f.call_id = c.id AND f.status = 'open') " +
                                         "AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.call_id = c.id) AND c.id > (SELECT MIN(id) + 4 FROM calls)");
        var first = await SignedIn("monitor1");
        await first.GotoAsync($"/calls/{callId}");
        await first.ClickAsync("#claim");
        await Expect(first.Locator("#finalise")).ToBeVisibleAsync();

        var second = await SignedIn("monitor2");
        await second.GotoAsync($"/calls/{callId}");
        await Expect(second.Locator("#claimed-by")).ToContainTextAsync("王芳");
        Assert.Equal(0, await second.Locator("#claim").CountAsync());
        await first.ClickAsync("text=Release");
    }

    internal static async Task Decide(IPage page, string item, string verdict, string reason)
    {
        var row = page.Locator($"#item-{Css(item)}");
        await row.Locator("select[name=verdict]").SelectOptionAsync(verdict);
        await row.Locator("input[name=reason]").FillAsync(reason);
        await SubmitAndWait(page, row.Locator("form.verdict-form button[type=submit]"));
    }

    internal static string Css(string id) => id.Replace(".", "\\.");

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
