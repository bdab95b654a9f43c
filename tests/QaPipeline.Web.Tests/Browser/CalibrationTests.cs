using Dapper;
using Microsoft.Playwright;

namespace QaPipeline.Web.Tests;

[Collection("web")]
public sealed class CalibrationTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task Three_monitors_score_blind_and_the_lead_reveals_the_grid_and_records_agreed_verdicts()
    {
        var calls = (await App.Db.Run(c => c.QueryAsync<long>("SELECT id FROM calls WHERE team = '一组' ORDER BY id DESC LIMIT 2"))).ToList();
        var lead = await SignedIn("monitor1");
        await lead.GotoAsync("/calibration");
        await lead.FillAsync("#new-session input[name=name]", "三月校准会");
        await lead.FillAsync("#session-calls", string.Join(",", calls));
        foreach (var login in new[] { "monitor1", "monitor2", "monitor3" })
            await lead.CheckAsync($"#new-session input[value='{App.UserId(login)}']");
        await lead.ClickAsync("#create-session");
        await AtUrl(lead, "/calibration/[0-9]+$");
        var sessionId = long.Parse(lead.Url.Split('/').Last());

        var verdictsBy = new Dictionary<string, Func<int, string>>
        {
            ["monitor1"] = i => "pass",
            ["monitor2"] = i => i % 3 == 0 ? "fail" : "pass",
            ["monitor3"] = i => i % 4 == 0 ? "na" : "pass",
        };
        foreach (var (login, pick) in verdictsBy)
        {
            var page = login == "monitor1" ? lead : await SignedIn(login);
            await page.GotoAsync($"/calibration/{sessionId}");
            // Blind: no automatic verdicts on the session page, and the call page hides them while scoring.
            Assert.Equal(0, await page.Locator("td.auto").CountAsync());
            var callPage = await page.Context.NewPageAsync();
            await callPage.GotoAsync($"/calls/{calls[0]}");
            await Assertions.Expect(callPage.Locator("#blind-notice")).ToBeVisibleAsync();
            Assert.Equal(0, await callPage.Locator("#auto-score").CountAsync());
            Assert.Equal(0, await callPage.Locator("#items").CountAsync());
            await callPage.CloseAsync();
            var apiView = await page.APIRequest.GetAsync($"/api/v1/calls/{calls[0]}");
            Assert.Contains("\"blind\":true", await apiView.TextAsync());
            Assert.Contains("\"automatic\":null", await apiView.TextAsync());

            foreach (var section in await page.Locator("section.cal-call").AllAsync())
            {
                var radios = section.Locator("tr");
                var n = await radios.CountAsync();
                for (var i = 0; i < n; i++)
                    await radios.Nth(i).Locator($"input[value={pick(i)}]").CheckAsync();
                await BrowserTest.SubmitAndWait(page, section.Locator("button[type=submit]"));
            }
            if (login == "monitor1")
            {
                // The lead cannot reveal while others are still scoring.
                await page.ClickAsync("#submit-scores");
                await page.ClickAsync("#reveal");
                await Assertions.Expect(page.Locator("p.error")).ToContainTextAsync("李强");
            }
            else await page.ClickAsync("#submit-scores");
            await Assertions.Expect(page.Locator("#waiting")).ToBeVisibleAsync();
        }

        await lead.GotoAsync($"/calibration/{sessionId}");
        await lead.ClickAsync("#reveal");
        await Assertions.Expect(lead.Locator("#session-status")).ToHaveTextAsync("revealed");
        var grid = lead.Locator("#reveal-grid");
        foreach (var name in new[] { "王芳", "李强", "赵敏" }) await Assertions.Expect(grid.Locator("tr").First).ToContainTextAsync(name);
        await Assertions.Expect(grid.Locator("td.auto").First).ToBeVisibleAsync();
        await Assertions.Expect(lead.Locator("#agreement")).ToContainTextAsync("Fleiss κ");
        await Assertions.Expect(lead.Locator("#rater-report")).ToContainTextAsync("automatic");

        var firstRow = grid.Locator("tr[data-item]").First;
        var item = (await firstRow.GetAttributeAsync("data-item"))!;
        await firstRow.Locator("select[name=verdict]").SelectOptionAsync("fail");
        await firstRow.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(lead.Locator($"#reveal-grid tr[data-item='{item}'] .agreed").First).ToHaveTextAsync("fail");
        await Screenshot(lead, "calibration-reveal");

        Assert.Equal(3, await App.Db.Run(c => c.ExecuteScalarAsync<int>(
            "SELECT COUNT(DISTINCT rater_id) FROM calibration_ratings WHERE session_id = @sessionId", new { sessionId })));
        Assert.Equal("fail", await App.Db.Run(c => c.ExecuteScalarAsync<string>(
            "SELECT verdict FROM calibration_agreed WHERE session_id = @sessionId AND item_id = @item", new { sessionId, item })));
        Assert.Equal(1, await App.Db.Run(c => c.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'calibration decision' AND entity_id = @id", new { id = sessionId.ToString() })));
    }
}
