using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using QaPipeline.Centre.Exports;

namespace QaPipeline.Web.Tests;

/// <summary>
/// Exports as each role opens them from their pages in Chromium: the download read back the way a spreadsheet user
/// reads it (the CSV parsed with the project's CSV library, the XLSX opened with MiniExcel) holds the calls that role
/// may read — the centre for admins and QA leads, a monitor's teams, an agent's own calls — with the contract's
/// columns, and no unmasked phone number for the roles that see personal data masked.
/// </summary>
[Collection("web")]
public sealed class ExportBrowserTests(WebApp app, BrowserFixture browser) : BrowserTest(app, browser)
{
    private static readonly Regex PhoneNumber = new("1[3-9]\\d{9}");

    [Theory]
    [InlineData("admin", "/dashboard", "#dashboard-scorecards", "1 = 1", true)]
    [InlineData("lead1", "/dashboard", "#dashboard-scorecards", "1 = 1", false)]
    [InlineData("monitor1", "/dashboard", "#dashboard-scorecards", "c.team = '一组'", true)]
    [InlineData("agent1", "/my", "#my-export", "c.agent_id = 'A01'", false)]
    public async Task Scorecard_exports_opened_from_the_page_hold_the_roles_calls(string login, string start, string link, string scope, bool seesPersonalData)
    {
        var page = await SignedIn(login);
        await page.GotoAsync(start);
        var href = (await page.GetAttributeAsync($"{link}-csv", "href"))!;
        // The dashboard's link carries its period (the "to" day inclusive); the agent's has none.
        var from = Regex.Match(href, "from=([0-9-]+)") is { Success: true } f ? DateTime.Parse(f.Groups[1].Value, CultureInfo.InvariantCulture) : new DateTime(2000, 1, 1);
        var to = Regex.Match(href, "to=([0-9-]+)") is { Success: true } t ? DateTime.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture).AddDays(1) : new DateTime(2100, 1, 1);
        var expected = (await App.Db.Run(c => c.QueryAsync<long>($"""
            SELECT c.id FROM calls c WHERE c.status = 'scored' AND {scope}
            AND COALESCE(c.started_at, c.ingested_at) >= @from AND COALESCE(c.started_at, c.ingested_at) < @to ORDER BY c.id
            """, new { from, to }))).Select(id => id.ToString(CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(expected);

        var rows = Exports.ExportDownloadTests.Csv(await Download(page, $"{link}-csv"), out var header); // checks the BOM too
        Assert.Equal(ScorecardExport.FixedColumns, header[..ScorecardExport.FixedColumns.Length]);
        Assert.Contains("greeting.opening", header);
        Assert.Equal(expected, rows.Select(r => r[0]));
        if (scope.StartsWith("c.team", StringComparison.Ordinal)) Assert.All(rows, r => Assert.Equal("一组", r[Array.IndexOf(header, "team")]));
        if (scope.StartsWith("c.agent_id", StringComparison.Ordinal)) Assert.All(rows, r => Assert.Equal("A01", r[Array.IndexOf(header, "agent_id")]));
        if (!seesPersonalData) Assert.DoesNotMatch(PhoneNumber, string.Join("\n", rows.SelectMany(r => r)));

        var xlsx = await Download(page, $"{link}-xlsx");
        var sheet = Exports.ExportDownloadTests.Xlsx(xlsx).Select(r => r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray()).ToList();
        Assert.Equal(header, sheet[0]);
        Assert.Equal(expected, sheet.Skip(1).Select(r => r[0]));
    }

    [Fact]
    public async Task A_monitor_downloads_the_queue_as_the_page_shows_it()
    {
        var page = await SignedIn("monitor1");
        await page.GotoAsync("/queue");
        var listed = await page.Locator("#queue tr[data-call]").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.call)");
        Assert.NotEmpty(listed);
        var queueRows = Exports.ExportDownloadTests.Csv(await Download(page, "#queue-downloads a:text-is('CSV')"), out var header);
        Assert.Equal("call_id", header[0]);
        var ids = queueRows.Select(r => r[0]!).ToList();
        Assert.Equal(listed, ids.Take(listed.Length));
        var teams = await App.Db.Run(c => c.QueryAsync<string>("SELECT DISTINCT team FROM calls WHERE id IN @ids", new { ids = ids.Select(long.Parse).ToArray() }));
        Assert.Equal(["一组"], teams);
    }

    private static async Task<byte[]> Download(IPage page, string selector)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync(selector));
        return await File.ReadAllBytesAsync((await download.PathAsync())!);
    }
}
