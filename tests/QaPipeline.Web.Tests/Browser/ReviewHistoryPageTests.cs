using Microsoft.Playwright;

namespace QaPipeline.Web.Tests;

/// <summary>The call page of a finalised review: no "Claim for review" (it once stayed, and a second review silently
/// replaced the first); reopening with a reason brings the claim back and the history shows version 1 with its reopen.</summary>
[Collection("web")]
public sealed class ReviewHistoryPageTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task A_finalised_call_offers_reopen_with_a_reason_instead_of_claim_and_shows_its_review_history()
    {
        var callId = await App.AddSampleCall("review-history-page");
        var page = await SignedIn("monitor1");
        await page.GotoAsync($"/calls/{callId}");
        await page.ClickAsync("#claim");
        foreach (var row in await page.Locator("tr.item.v-review").AllAsync())
            await MonitorReviewTests.Decide(page, (await row.GetAttributeAsync("data-item"))!, "pass", "checked by listening");
        await page.ClickAsync("#finalise");
        await Expect(page.Locator("#review-final")).ToContainTextAsync("version 1");
        Assert.Equal(0, await page.Locator("#claim").CountAsync());
        await Expect(page.Locator("#review-history li.review-version")).ToHaveCountAsync(1);
        await Expect(page.Locator("#review-history li.review-version").First).ToContainTextAsync("王芳");

        // A reason is required by the form; with one, the review reopens and the call can be claimed again.
        await page.ClickAsync(".reopen-box summary");
        await page.FillAsync("#reopen-reason", "agent's dispute showed the greeting was heard");
        await page.ClickAsync("#reopen");
        await Expect(page.Locator("#claim")).ToBeVisibleAsync();
        await Expect(page.Locator("#review-history .reopened")).ToContainTextAsync("agent's dispute showed the greeting was heard");
        await Expect(page.Locator("#review-history .reopened")).ToContainTextAsync("王芳");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
