using Dapper;
using Microsoft.Playwright;

namespace QaPipeline.Web.Tests;

[Collection("web")]
public sealed class TrainerLibraryTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task Trainer_finds_calls_by_item_and_bookmarks_a_clip_into_a_playlist()
    {
        var page = await SignedIn("trainer1");
        await page.GotoAsync("/library");
        await page.FillAsync("#new-playlist input[name=name]", "开场问候示例");
        await page.FillAsync("#new-playlist input[name=forTeam]", "一组");
        await page.ClickAsync("#new-playlist button[type=submit]");
        await Assertions.Expect(page.Locator("#playlists")).ToContainTextAsync("开场问候示例");

        await page.SelectOptionAsync("select[name=item]", "greeting.opening");
        await page.SelectOptionAsync("select[name=verdict]", "pass");
        await page.ClickAsync("#search");
        var hits = page.Locator("#hits tr a[href^='/calls/']");
        Assert.True(await hits.CountAsync() > 0, "no call passed greeting.opening");
        var expected = await App.Db.Run(c => c.ExecuteScalarAsync<int>(
            "SELECT COUNT(DISTINCT i.call_id) FROM scorecard_items i WHERE i.item_id = 'greeting.opening' AND i.verdict = 'pass'"));
        Assert.Equal(expected, await hits.CountAsync());
        await Screenshot(page, "library");

        await hits.First.ClickAsync();
        await AtUrl(page, "/calls/[0-9]+");
        var callId = long.Parse(page.Url.Split('/').Last());
        await page.FillAsync("#clip-start", "0.4");
        await page.FillAsync("#clip-end", "6.2");
        await page.FillAsync("#bookmark input[name=note]", "标准开场白");
        await page.ClickAsync("#bookmark-save");
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("clip bookmarked");

        var clip = await App.Db.Run(c => c.QuerySingleAsync<(long CallId, double Start, double End, string Example, string Note)>(
            "SELECT i.call_id, i.start_s, i.end_s, i.example, i.note FROM playlist_items i JOIN playlists p ON p.id = i.playlist_id WHERE p.name = '开场问候示例'"));
        Assert.Equal((callId, 0.4, 6.2, "good", "标准开场白"), clip);

        // Export: a zip with the cut recording and the transcript lines of the clip.
        var export = await page.APIRequest.GetAsync($"/calls/{callId}/clip?start=0.4&end=6.2");
        Assert.Equal(200, export.Status);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(await export.BodyAsync()));
        Assert.Contains(zip.Entries, e => e.Name == "clip.wav" && e.Length > 44);
        Assert.Contains(zip.Entries, e => e.Name == "transcript.txt");
    }
}
