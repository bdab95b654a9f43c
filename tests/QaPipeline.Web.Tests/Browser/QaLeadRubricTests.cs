using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using QaPipeline.Pipeline.Ingest;
using QaPipeline.Pipeline.Stages;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Storage;
using QaPipeline.Web.Tests.Rubrics;

namespace QaPipeline.Web.Tests;

/// <summary>
/// The QA lead's day-one job in Chromium: change the rubric in the browser, be stopped by a wrong line with the loader's
/// error at that line, preview what the change does to past calls (the flip counts equal a re-score computed here with
/// the scoring core), publish with a note and the confirmation, and see the next ingested call scored with it.
/// </summary>
[Collection("web")]
public sealed class QaLeadRubricTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task A_qa_lead_rejects_a_wrong_line_previews_the_impact_publishes_and_the_next_call_is_scored_with_it()
    {
        var original = App.Rubric.ActivePath;
        var active = await File.ReadAllTextAsync(original);
        var page = await SignedIn("lead1");
        await AtUrl(page, "/dashboard");
        await page.ClickAsync("#nav-rubrics");
        await AtUrl(page, "/rubrics");
        Assert.Equal(active.ReplaceLineEndings("\n"), (await page.InputValueAsync("#rules-yaml")).ReplaceLineEndings("\n"));

        // A wrong line: the loader's error, at its line, beside the editor.
        var (wrong, line) = DirectRescore.WithWrongLine(active);
        await page.FillAsync("#rules-yaml", wrong);
        await page.ClickAsync("#rubric-check");
        var error = page.Locator("#rules-error");
        await Expect(error).ToContainTextAsync($"candidate.yaml:{line}: items[0]: unknown field 'weight'");
        Assert.Equal(line.ToString(), await error.GetAttributeAsync("data-line"));
        await Expect(page.Locator("#rules-error-line")).ToContainTextAsync("weight: 5");
        await Expect(page.Locator("#rules-diff")).ToContainTextAsync("+     weight: 5");
        Assert.Equal(0, await page.Locator("#rubric-valid").CountAsync());

        // The candidate: the opening greeting accepts only 早上好. Its impact, computed here with the scoring core.
        var candidate = DirectRescore.GreetingOnlyGoodMorning(active, "2026.12.1");
        var expected = await DirectRescore.Flips(App, candidate);
        Assert.True(expected.GetValueOrDefault(("greeting.opening", "pass->fail")) > 0, "the change should fail some greetings");
        await page.FillAsync("#rules-yaml", candidate);
        await page.FillAsync("#preview-from", "2000-01-01");
        await page.FillAsync("#preview-to", "2099-12-31");
        var scorecards = await App.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scorecards"));
        await page.ClickAsync("#rubric-preview");
        await Expect(page.Locator("#impact-summary")).ToBeVisibleAsync();
        var shown = new Dictionary<(string Item, string Pair), int>();
        foreach (var row in await page.Locator("#impact-flips tr[data-item]").AllAsync())
            shown[((await row.GetAttributeAsync("data-item"))!, (await row.GetAttributeAsync("data-pair"))!)] =
                int.Parse(await row.Locator("td.count").InnerTextAsync());
        Assert.Equal(expected.OrderBy(e => e.Key), shown.OrderBy(e => e.Key));
        // A sample call of the flip opens (the QA lead reads every call).
        var sample = page.Locator("#impact-flips tr[data-item='greeting.opening'][data-pair='pass->fail'] a").First;
        Assert.Matches("^/calls/\\d+$", await sample.GetAttributeAsync("href"));
        Assert.Equal(scorecards, await App.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scorecards"))); // nothing saved

        try
        {
            // Publishing asks for the confirmation; with it and a note the version is kept in the history.
            await page.FillAsync("#rubric-note", "greeting: 早上好 only");
            var versions = await App.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rubric_versions"));
            await page.ClickAsync("#rubric-publish");
            await Expect(page.Locator("main > p.error")).ToContainTextAsync("confirmation");
            Assert.Equal(versions, await App.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rubric_versions")));
            await page.CheckAsync("#rubric-confirm");
            await page.ClickAsync("#rubric-publish");
            await Expect(page.Locator("main > p.notice")).ToContainTextAsync("published zh-CN-2026.12.1.yaml");
            var history = page.Locator("#rubric-history tr").Nth(1);
            await Expect(history).ToContainTextAsync("2026.12.1");
            await Expect(history).ToContainTextAsync("greeting: 早上好 only");
            await Expect(history).ToContainTextAsync("lead1");
            Assert.EndsWith("zh-CN-2026.12.1.yaml", App.Rubric.ActivePath);

            // The next ingested call goes through the score stage and is scored with the published version.
            var startedAt = await App.Db.Run(c => c.ExecuteScalarAsync<DateTime>("SELECT MIN(started_at) FROM calls"));
            var services = App.Services;
            var ingested = await services.GetRequiredService<CallIngestor>().Ingest(new IngestRequest(new MemoryStream(WebApp.SilentWav(3)), "next.wav",
                new CallMetadata("LEAD-NEXT-1", "A01", "一组", "orders", "inbound", startedAt, null),
                Encoding.UTF8.GetBytes("坐席：您好，欢迎致电，请问有什么可以帮您？\n客户：我想查快递。\n"), "test"));
            await services.GetRequiredService<CallStages>().Score(ingested.CallId);
            var card = (await services.GetRequiredService<ResultRepository>().CurrentScorecard(ingested.CallId))!;
            Assert.Equal(("zh-CN", "2026.12.1"), (card.RubricId, card.RubricVersion));
            Assert.Equal(Verdict.Fail, ScorecardJson.Parse(card.Json).Items.Single(i => i.Id == "greeting.opening").Verdict); // 您好 no longer passes
            await page.GotoAsync($"/calls/{ingested.CallId}");
            await Expect(page.Locator("#rubric")).ToContainTextAsync("zh-CN 2026.12.1");
        }
        finally
        {
            await App.Services.GetRequiredService<WebSettings>().Set(WebSettings.ActiveRubric, original, "test");
        }
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
