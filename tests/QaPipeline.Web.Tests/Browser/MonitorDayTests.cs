using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Storage;

namespace QaPipeline.Web.Tests;

/// <summary>
/// The call page through a monitor's day in Chromium: only the words that decided an item are highlighted, a missing
/// phrase shows where it was looked for, Finalise accepts the untouched automatic verdicts in one action and says what
/// it records, Release asks before discarding draft verdicts, the next call of the queue is one click away, and times
/// are the centre's.
/// </summary>
[Collection("web")]
public sealed class MonitorDayTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    private async Task<Scorecard> CardOf(long callId) =>
        ScorecardJson.Parse((await App.Services.GetRequiredService<ResultRepository>().CurrentScorecard(callId))!.Json);

    [Fact]
    public async Task Only_the_deciding_words_are_highlighted_and_a_missing_greeting_shows_the_window_searched()
    {
        var good = await App.AddSampleCall("DAY-EVIDENCE", dialogue: "s01_good_service");
        var card = await CardOf(good);
        var decidingWords = card.Items.SelectMany(i => i.Evidence).Select(e => e.Words).OfType<string>().ToHashSet();
        var greeting = card.Items.Single(i => i.Id == "greeting.opening");
        Assert.Equal(Verdict.Pass, greeting.Verdict);

        var page = await SignedIn("monitor1");
        await page.GotoAsync($"/calls/{good}");
        var marks = await page.Locator("#transcript mark.ev").AllInnerTextsAsync();
        Assert.NotEmpty(marks);
        Assert.All(marks, m => Assert.Contains(m, decidingWords)); // each highlight is words the scorer decided on
        Assert.Equal(greeting.Evidence.Single().Words, await page.Locator("#transcript mark.ev[data-items~='greeting.opening']").InnerTextAsync());
        var lines = await page.Locator("#transcript li.seg").CountAsync();
        var highlighted = await page.Locator("#transcript li.seg.evidence").CountAsync();
        Assert.True(highlighted < lines, $"{highlighted} of {lines} lines highlighted");
        // A marked line shows its other words unmarked.
        var line = page.Locator("#transcript li.seg", new() { Has = page.Locator("mark.ev[data-items~='greeting.opening']") });
        Assert.NotEqual(greeting.Evidence.Single().Words, (await line.Locator(".text").InnerTextAsync()).Trim());

        var missing = await App.AddSampleCall("DAY-NO-GREETING", dialogue: "s02_no_greeting");
        var failed = (await CardOf(missing)).Items.Single(i => i.Id == "greeting.opening");
        Assert.Equal(Verdict.Fail, failed.Verdict);
        Assert.NotNull(failed.Window);
        await page.GotoAsync($"/calls/{missing}");
        var cell = page.Locator("#item-greeting\\.opening td.evidence");
        await Assertions.Expect(cell.Locator(".window")).ToContainTextAsync($"turns {failed.Window!.FirstTurn}–{failed.Window.LastTurn}");
        await Assertions.Expect(cell.Locator(".window")).ToContainTextAsync("not found");
        foreach (var unrelated in failed.Evidence) Assert.DoesNotContain(unrelated.Text, await cell.InnerTextAsync());
        Assert.Equal(0, await page.Locator("#transcript mark.ev[data-items~='greeting.opening']").CountAsync());
    }

    [Fact]
    public async Task Finalise_accepts_the_rest_says_what_it_records_and_offers_the_next_call_of_the_queue()
    {
        var callId = await App.AddSampleCall("DAY-FINALISE", dialogue: "s01_good_service");
        var items = (await CardOf(callId)).Items;
        var page = await SignedIn("monitor1");
        await page.GotoAsync($"/calls/{callId}");
        await page.ClickAsync("#claim");
        var plan = page.Locator("#finalise-plan");
        var toDecide = items.Count(i => i.Verdict == Verdict.Review);
        Assert.Equal((items.Count - toDecide).ToString(), await plan.GetAttributeAsync("data-accepted"));
        await Assertions.Expect(page.Locator("#finalise")).ToHaveTextAsync($"Accept the other {items.Count - toDecide} and finalise");
        Assert.Equal(0, await page.Locator("form.verdict-form button:text-is('Confirm')").CountAsync()); // no Confirm per item

        // Each decision is saved (the page reloads with it) before the next one.
        foreach (var item in items.Where(i => i.Verdict == Verdict.Review))
        {
            await MonitorReviewTests.Decide(page, item.Id, "pass", "checked by listening");
            await Assertions.Expect(page.Locator($"#item-{MonitorReviewTests.Css(item.Id)} .saved")).ToContainTextAsync("pass");
        }
        var overridden = items.First(i => i.Verdict == Verdict.Pass && !i.Fatal).Id;
        await MonitorReviewTests.Decide(page, overridden, "fail", "not said as the script asks");
        await Assertions.Expect(page.Locator($"#item-{MonitorReviewTests.Css(overridden)} .saved")).ToContainTextAsync("fail");
        await Assertions.Expect(plan).ToHaveAttributeAsync("data-decided", (toDecide + 1).ToString());
        await Assertions.Expect(plan).ToContainTextAsync($"{items.Count - toDecide - 1} automatic verdicts accepted as they are");
        var promised = await page.InnerTextAsync("#finalise-score");

        // The queue's first call nobody holds is what "next" offers.
        var queue = await SignedIn("monitor1");
        await queue.GotoAsync("/queue");
        var expectedNext = await queue.Locator("#queue tr[data-call]", new() { Has = queue.Locator("button.claim") }).First.GetAttributeAsync("data-call");

        await page.ClickAsync("#finalise");
        await AtUrl(page, $"/calls/{callId}\\?finalised=true");
        Assert.Equal(promised, await page.InnerTextAsync("#final-score"));
        var review = await App.Db.Run(c => c.QuerySingleAsync<long>("SELECT id FROM reviews WHERE call_id = @callId AND status = 'submitted'", new { callId }));
        Assert.Equal(items.Count, await App.Db.Run(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM review_item_verdicts WHERE review_id = @review", new { review })));
        await Assertions.Expect(page.Locator("#next-call")).ToHaveAttributeAsync("href", $"/calls/{expectedNext}");
        await page.ClickAsync("#next-call");
        await AtUrl(page, $"/calls/{expectedNext}$");
        await Assertions.Expect(page.Locator("#claim")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Release_asks_before_discarding_draft_verdicts()
    {
        var callId = await App.AddSampleCall("DAY-RELEASE", dialogue: "s01_good_service");
        var item = (await CardOf(callId)).Items.First(i => i.Verdict == Verdict.Pass && !i.Fatal).Id;
        var page = await SignedIn("monitor1");
        await page.GotoAsync($"/calls/{callId}");
        await page.ClickAsync("#claim");
        await MonitorReviewTests.Decide(page, item, "fail", "heard it twice");
        await Assertions.Expect(page.Locator($"#item-{MonitorReviewTests.Css(item)} .saved")).ToContainTextAsync("fail");
        Task<long> Drafts() => App.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM reviews WHERE call_id = @callId AND status = 'draft'", new { callId }));

        await page.ClickAsync("#release");
        await Assertions.Expect(page.Locator("#release-confirm")).ToContainTextAsync("discards your 1 draft verdicts");
        await Assertions.Expect(page.Locator("#release-confirm")).ToContainTextAsync(item);
        Assert.Equal(1, await Drafts()); // nothing discarded yet
        await page.ClickAsync("#release-keep");
        await AtUrl(page, $"/calls/{callId}$"); // back on the page itself, not the question
        await Assertions.Expect(page.Locator("#release-confirm")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#finalise")).ToBeVisibleAsync();
        Assert.Equal(1, await Drafts());

        await page.ClickAsync("#release");
        await Assertions.Expect(page.Locator("#release-confirm")).ToBeVisibleAsync();
        await page.ClickAsync("#release-discard");
        await Assertions.Expect(page.Locator("#claim")).ToBeVisibleAsync();
        Assert.Equal(0, await Drafts());
    }

    [Fact]
    public async Task Times_are_shown_in_the_centres_time_zone()
    {
        var callId = await App.CallWhere("c.team = '一组' AND c.started_at IS NOT NULL");
        var startedAt = await App.Db.Run(c => c.ExecuteScalarAsync<DateTime>("SELECT started_at FROM calls WHERE id = @callId", new { callId }));
        var admin = await SignedIn("admin");
        try
        {
            await admin.GotoAsync("/admin");
            await admin.FillAsync("#time-zone", "Mars/Olympus_Mons");
            await admin.ClickAsync("#settings button[type=submit]");
            await Assertions.Expect(admin.Locator("p.error")).ToContainTextAsync("unknown time zone");
            await admin.GotoAsync("/admin");
            await admin.FillAsync("#time-zone", "Asia/Shanghai");
            await admin.ClickAsync("#settings button[type=submit]");
            await Assertions.Expect(admin.Locator("#time-zone")).ToHaveValueAsync("Asia/Shanghai");

            var page = await SignedIn("monitor1");
            await page.GotoAsync($"/calls/{callId}");
            var local = DateTime.SpecifyKind(startedAt, DateTimeKind.Utc).AddHours(8); // China has no daylight saving time
            await Assertions.Expect(page.Locator("#started-at")).ToHaveTextAsync(local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " (UTC+08:00)");
        }
        finally
        {
            await App.Services.GetRequiredService<WebSettings>().Set(WebSettings.TimeZone, "UTC", "test");
        }
    }
}
