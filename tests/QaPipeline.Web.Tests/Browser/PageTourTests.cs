using Microsoft.Playwright;

namespace QaPipeline.Web.Tests;

[Collection("web")]
public sealed class PageTourTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task Admin_sees_dashboards_with_charts_and_the_admin_page_in_chinese()
    {
        var page = await SignedIn("admin");
        await page.GotoAsync("/lang/zh?returnUrl=/dashboard");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("统计报表");
        Assert.True(await page.Locator("#charts svg.chart").CountAsync() >= 5);
        Assert.True(await page.Locator("#charts svg.chart polyline").CountAsync() >= 1, "no score-over-time line drawn");
        await Screenshot(page, "dashboard");
        await page.GotoAsync("/admin");
        await Assertions.Expect(page.Locator("#users")).ToContainTextAsync("monitor1");
        await Assertions.Expect(page.Locator("#rubrics")).ToContainTextAsync("zh-CN.yaml");
        await Assertions.Expect(page.Locator("#hangfire-link")).ToHaveAttributeAsync("href", "/hangfire");
        await Screenshot(page, "admin");
    }
}
