using Microsoft.Playwright;

namespace QaPipeline.Web.Tests;

/// <summary>The dashboard page: choosing a team keeps every other team in the dropdown (it once left only the chosen
/// one), and the agents of the chosen team get their own table with sample sizes beside the rates.</summary>
[Collection("web")]
public sealed class DashboardPageTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task Choosing_a_team_keeps_the_other_teams_in_the_dropdown_and_shows_its_agents_with_sample_sizes()
    {
        var page = await SignedIn("admin");
        await page.GotoAsync("/dashboard");
        await page.SelectOptionAsync("select[name=team]", "一组");
        await page.ClickAsync("form.filters button[type=submit]");
        await AtUrl(page, "team=");
        var teams = await page.Locator("select[name=team] option").AllInnerTextsAsync();
        Assert.Contains("一组", teams);
        Assert.Contains("二组", teams);
        Assert.Equal("一组", await page.InputValueAsync("select[name=team]"));
        var rows = page.Locator("#agents tr[data-agent]");
        Assert.True(await rows.CountAsync() > 0, "team 一组 shows no agents");
        await Assertions.Expect(rows.First.Locator("small.n")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\(\d+/\d+\)$"));
        await Assertions.Expect(page.Locator("#score-basis")).ToContainTextAsync("human final score");
        // The date range is kept in the form and in the downloads.
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", await page.InputValueAsync("#from"));
        Assert.Contains("from=", await page.GetAttributeAsync("#dashboard-downloads a", "href"));
    }
}
