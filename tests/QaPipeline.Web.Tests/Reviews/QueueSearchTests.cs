using System.Text.RegularExpressions;
using Dapper;

namespace QaPipeline.Web.Tests.Reviews;

/// <summary>The queue page beyond flagged calls: the all-calls tab, search by call id / external id / agent name,
/// agent names beside codes, totals and age per flag — all within the monitor's teams.</summary>
[Collection("web")]
public sealed class QueueSearchTests(WebApp app)
{
    private static List<long> CallIds(string html) =>
        Regex.Matches(html, "<tr[^>]*data-call=\"(\\d+)\"").Select(m => long.Parse(m.Groups[1].Value)).ToList();

    [Fact]
    public async Task The_all_calls_tab_finds_an_unflagged_call_by_external_id_and_an_agent_by_name()
    {
        var (id, external) = await app.Db.Run(c => c.QuerySingleAsync<(long, string)>("""
            SELECT c.id, c.external_call_id FROM calls c WHERE c.team = '一组' AND c.status = 'scored' AND c.external_call_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM review_flags f WHERE f.call_id = c.id AND f.status <> 'closed')
            ORDER BY c.id LIMIT 1
            """));
        var monitor = await app.Client("monitor1");
        Assert.Equal([id], CallIds(await monitor.GetStringAsync($"/queue?tab=all&q={Uri.EscapeDataString(external)}")));
        Assert.Empty(CallIds(await monitor.GetStringAsync($"/queue?q={Uri.EscapeDataString(external)}"))); // not flagged
        Assert.Equal([id], CallIds(await monitor.GetStringAsync($"/queue?tab=all&q={id}")));

        var byName = System.Net.WebUtility.HtmlDecode(await monitor.GetStringAsync("/queue?tab=all&q=" + Uri.EscapeDataString("张伟")));
        var a01 = (await app.Db.Run(c => c.QueryAsync<long>("SELECT id FROM calls WHERE agent_id = 'A01' AND status = 'scored'"))).ToHashSet();
        Assert.NotEmpty(CallIds(byName));
        Assert.All(CallIds(byName), c => Assert.Contains(c, a01));
        Assert.Contains("客服 张伟", byName);

        // Another team's call is not found, whatever is typed.
        var other = await app.CallWhere("c.team = '二组'");
        Assert.Empty(CallIds(await monitor.GetStringAsync($"/queue?tab=all&q={other}")));
    }

    [Fact]
    public async Task Flag_totals_count_the_monitors_waiting_calls_per_flag()
    {
        var expected = (await app.Db.Run(c => c.QueryAsync<(string, long)>("""
            SELECT f.reason, COUNT(DISTINCT f.call_id) FROM review_flags f JOIN calls c ON c.id = f.call_id
            JOIN scorecards s ON s.id = f.scorecard_id AND s.is_current = 1
            WHERE f.status <> 'closed' AND c.team = '一组' GROUP BY f.reason
            """))).ToDictionary(r => r.Item1, r => r.Item2);
        Assert.NotEmpty(expected);
        var html = await (await app.Client("monitor1")).GetStringAsync("/queue");
        var shown = Regex.Matches(html, "<tr data-flag=\"([a-z_]+)\"><td>.*?</td><td>(\\d+)</td>").ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value));
        Assert.Equal(expected.OrderBy(e => e.Key), shown.OrderBy(e => e.Key));
    }

    [Fact]
    public async Task A_call_page_shows_its_call_reasons_and_the_queue_filters_by_them()
    {
        var (id, reason, name) = await app.Db.Run(c => c.QuerySingleAsync<(long, string, string)>("""
            SELECT r.call_id, r.reason_id, r.reason_name FROM scorecard_reasons r JOIN calls c ON c.id = r.call_id
            WHERE c.team = '一组' ORDER BY r.call_id LIMIT 1
            """));
        var monitor = await app.Client("monitor1");
        var page = System.Net.WebUtility.HtmlDecode(await monitor.GetStringAsync($"/calls/{id}"));
        Assert.Matches($"id=\"call-reasons\">.*data-reason=\"{reason}\"[^>]*>{Regex.Escape(name)}</a>", page);
        var tagged = (await app.Db.Run(c => c.QueryAsync<long>("""
            SELECT r.call_id FROM scorecard_reasons r JOIN calls c ON c.id = r.call_id JOIN scorecards s ON s.id = r.scorecard_id AND s.is_current = 1
            WHERE c.team = '一组' AND r.reason_id = @reason
            """, new { reason }))).ToHashSet();
        var listed = CallIds(await monitor.GetStringAsync($"/queue?tab=all&callReason={reason}"));
        Assert.NotEmpty(listed);
        Assert.All(listed, c => Assert.Contains(c, tagged));
        Assert.Contains($"<option value=\"{reason}\" selected=\"selected\">", await monitor.GetStringAsync($"/queue?callReason={reason}"));
    }
}
