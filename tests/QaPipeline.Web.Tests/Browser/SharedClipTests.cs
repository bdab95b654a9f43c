using System.Net;
using Microsoft.Playwright;
using QaPipeline.Scoring.Transcripts;
using static QaPipeline.Web.Tests.AudioToneMaskTests;

namespace QaPipeline.Web.Tests;

/// <summary>
/// Coaching with a colleague's call: a trainer puts a clip of another agent's call into a playlist made for agent1.
/// The playlist shows it (it once counted 2 and showed 1, and its audio was a 404), agent1 hears exactly that clip's
/// time range with the card number toned and reads only its lines, masked — and nothing else of that call.
/// </summary>
[Collection("web")]
public sealed class SharedClipTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    [Fact]
    public async Task A_clip_shared_with_an_agents_playlist_plays_only_its_range_masked_to_that_agent()
    {
        var original = NoiseWav(10);
        // The store keeps one copy per content (and one call per recording): a first sample of its own makes this call its own.
        BitConverter.GetBytes((short)4321).CopyTo(original, 44);
        var transcript = new Transcript([
            new TranscriptSegment(SpeakerRole.Agent, 0.5, 2.0, "请问您的卡号是多少", 0.9, [T("请问", 0.5, 0.9), T("您的", 0.9, 1.3), T("卡号", 1.3, 1.6), T("是多少", 1.6, 2.0)]),
            new TranscriptSegment(SpeakerRole.Customer, 2.4, 6.0, "卡号是6222021234567894", 0.9,
                [T("卡号", 2.4, 2.8), T("是", 2.8, 3.2), T("6222", 3.2, 3.8), T("0212", 3.8, 4.4), T("3456", 4.4, 5.0), T("7894", 5.0, 5.6)]),
            new TranscriptSegment(SpeakerRole.Agent, 8.0, 9.5, "好的已为您登记", 0.9, [T("好的", 8.0, 8.6), T("已为您登记", 8.6, 9.5)]),
        ], TranscriptSource.Whisper, "zh", DurationSeconds: 10);
        // A call of agent B01 in team 二组: agent1 (A01, 一组) may not read it.
        var callId = await App.AddCall("shared-clip", original, transcript, agent: "B01", team: "二组");
        var trainer = await App.ApiClient("trainer1");
        var playlist = (await WebApp.JsonOf(await trainer.PostAsync("/api/v1/playlists", WebApp.Json(new { name = "核实卡号示例", forAgentId = "A01" })))).GetProperty("playlist_id").GetInt64();
        var clipId = (await WebApp.JsonOf(await trainer.PostAsync($"/api/v1/playlists/{playlist}/clips",
            WebApp.Json(new { callId, start = 2.0, end = 7.0, example = "good", note = "先核实再登记" })))).GetProperty("clip_id").GetInt64();

        // agent1's playlist page shows the clip, its lines masked, and no way into the rest of the call.
        var page = await SignedIn("agent1");
        await page.GotoAsync($"/library/playlists/{playlist}");
        await Assertions.Expect(page.Locator("#clips tr.clip")).ToHaveCountAsync(1);
        var lines = await page.InnerTextAsync("#clips tr.clip .clip-lines");
        Assert.Contains("7894", lines);
        Assert.DoesNotContain("6222021234567894", lines);
        Assert.DoesNotContain("已为您登记", lines); // 8.0–9.5 s is outside the clip
        Assert.Equal(0, await page.Locator($"a[href='/calls/{callId}']").CountAsync());
        Assert.Equal($"/library/clips/{clipId}/audio", await page.GetAttributeAsync("#clips tr.clip audio", "src"));

        // The clip's audio: 2.0–7.0 s of the call, the card (3.2–5.6 s, so 1.2–3.6 s of the clip) toned, the rest as recorded.
        var agent = await App.Client("agent1");
        var served = await agent.GetAsync($"/library/clips/{clipId}/audio");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        var heard = Samples(await served.Content.ReadAsByteArrayAsync());
        var source = Samples(original);
        Assert.InRange(heard.Length, (int)(4.95 * Rate), (int)(5.05 * Rate));
        Assert.True(ToneShare(heard, (int)(1.4 * Rate), (int)(3.4 * Rate)) > 0.95, "the card number is toned");
        for (var i = 0; i < (int)(0.9 * Rate); i++) Assert.Equal(source[(int)(2.0 * Rate) + i], heard[i]);

        // Nothing else of that call, and nobody outside the playlist's audience.
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/calls/{callId}/audio")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/calls/{callId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await App.Client("agent2")).GetAsync($"/library/clips/{clipId}/audio")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await App.Client("monitor1")).GetAsync($"/library/clips/{clipId}/audio")).StatusCode);
    }
}
