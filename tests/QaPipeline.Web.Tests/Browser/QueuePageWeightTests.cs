using Dapper;
using Microsoft.Playwright;

namespace QaPipeline.Web.Tests;

/// <summary>
/// The monitors' queue page stays light when the data holds the longest texts the limits allow: 300 open disputes with
/// 2,000-character Chinese reasons once made it 14 MB. Chinese is sent as UTF-8 text, not HTML entities.
/// (Its speed is measured by <c>qa bench web</c>, not asserted here.)
/// </summary>
[Collection("web")]
public sealed class QueuePageWeightTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task The_queue_page_with_hundreds_of_long_disputes_stays_under_200_KB_and_sends_chinese_as_text()
    {
        var callId = await App.AddSampleCall("queue-weight");
        var agent = App.UserId("agent1");
        var reason = string.Concat(Enumerable.Repeat("我认为这一项的判定不正确，因为我在通话开头已经按规范问候了客户。", 100))[..2000];
        await App.Db.Run(c => c.ExecuteAsync("""
            INSERT INTO disputes (call_id, scorecard_id, raised_by, item_id, reason, status, created_at)
            SELECT @callId, s.id, @agent, 'greeting.opening', @reason, 'open', @now FROM scorecards s WHERE s.call_id = @callId
            """, Enumerable.Range(0, 300).Select(i => new { callId, agent, reason, now = DateTime.UtcNow.AddMinutes(-i) })));
        try
        {
            var page = await SignedIn("monitor1");
            await page.GotoAsync("/lang/zh?returnUrl=/queue");
            var response = await page.GotoAsync("/queue");
            var html = await response!.BodyAsync();
            Assert.True(html.Length < 200 * 1024, $"queue page is {html.Length / 1024} KB");
            var text = System.Text.Encoding.UTF8.GetString(html);
            Assert.Contains("待处理申诉", text);
            Assert.DoesNotMatch(@"&#x[4-9][0-9A-F]{3};", text);
            Assert.Equal(50, await page.Locator("#dispute-queue tr").CountAsync() - 1);
            await Assertions.Expect(page.Locator("#disputes")).ToContainTextAsync("(30");
            await Assertions.Expect(page.Locator("p.more-disputes")).ToContainTextAsync("仅列出最早的 50 条");
        }
        finally
        {
            await App.Db.Run(c => c.ExecuteAsync("DELETE FROM disputes WHERE call_id = @callId", new { callId }));
        }
    }
}
