using System.Net;
using CsvHelper;
using Dapper;
using MiniExcelLibs;
using QaPipeline.Centre.Exports;

namespace QaPipeline.Web.Tests.Exports;

/// <summary>
/// The pages' downloads per role, read back as a spreadsheet user would: the CSV parsed (UTF-8 with BOM), the XLSX
/// opened. Rows follow the same row-level rules as the pages: admins everything, monitors their teams, agents their
/// own calls; the queue and the dashboards are not for agents, the audit log is for admins only.
/// </summary>
[Collection("web")]
public sealed class ExportDownloadTests(WebApp app)
{
    /// <summary>A CSV export read back (BOM checked) with the project's CSV library; also used by the browser tests.</summary>
    internal static List<string?[]> Csv(byte[] bytes, out string[] header)
    {
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        using var reader = CsvReader.Create(new MemoryStream(bytes));
        header = reader.Headers.ToArray();
        var rows = new List<string?[]>();
        while (reader.Read()) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        return rows;
    }

    internal static List<object?[]> Xlsx(byte[] bytes) =>
        MiniExcel.Query(new MemoryStream(bytes)).Cast<IDictionary<string, object?>>().Select(r => r.Values.ToArray()).ToList();

    [Theory]
    [InlineData("admin", "1 = 1")]
    [InlineData("monitor1", "c.team = '一组'")]
    [InlineData("agent1", "c.agent_id = 'A01'")]
    public async Task Scorecard_exports_hold_the_viewers_calls_in_csv_and_xlsx(string login, string visible)
    {
        var expected = (await app.Db.Run(c => c.QueryAsync<long>(
            $"SELECT c.id FROM calls c WHERE c.status = 'scored' AND {visible} ORDER BY c.id"))).ToList();
        Assert.NotEmpty(expected);
        var client = await app.Client(login);

        var csv = await client.GetAsync("/exports/scorecards.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.StartsWith("attachment", csv.Content.Headers.ContentDisposition?.ToString());
        var rows = Csv(await csv.Content.ReadAsByteArrayAsync(), out var header);
        Assert.Equal(ScorecardExport.FixedColumns, header[..ScorecardExport.FixedColumns.Length]);
        Assert.Equal(ScorecardExport.CallReasonsColumn, header[^1]);
        Assert.Contains("greeting.opening", header);
        Assert.Equal(expected.Select(id => id.ToString()), rows.Select(r => r[0]));
        Assert.Contains(rows, r => r[^1] is { Length: > 0 }); // the demo calls have call reasons

        var xlsx = await client.GetAsync("/exports/scorecards.xlsx?from=2020-01-01");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        var sheet = Xlsx(await xlsx.Content.ReadAsByteArrayAsync());
        Assert.Equal(header, sheet[0].Select(v => v?.ToString() ?? "").ToArray());
        Assert.Equal(expected, sheet.Skip(1).Select(r => Convert.ToInt64(r[0])));
    }

    [Fact]
    public async Task The_queue_export_is_the_filtered_queue_and_not_for_agents()
    {
        var monitor = await app.Client("monitor1");
        var api = System.Text.Json.JsonDocument.Parse(await monitor.GetStringAsync("/api/v1/queue?reason=fatal"));
        var queued = api.RootElement.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("callId").GetInt64().ToString()).ToList();
        var rows = Csv(await monitor.GetByteArrayAsync("/exports/queue.csv?reason=fatal"), out var header);
        Assert.Equal("flags", header[2]);
        Assert.Equal(queued, rows.Select(r => r[0]).Take(queued.Count));
        Assert.All(rows, r => Assert.Equal("一组", r[3]));
        Assert.Contains(rows, r => r[5] is { Length: > 0 }); // agent names beside the codes
        Assert.All(rows, r => Assert.Contains("fatal", r[2]));

        var agent = await app.Client("agent1");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/exports/queue.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/exports/dashboard-items.xlsx")).StatusCode);
    }

    [Fact]
    public async Task Dashboard_tables_and_the_audit_log_export_for_the_roles_that_see_them()
    {
        var admin = await app.Client("admin");
        var reasons = Csv(await admin.GetByteArrayAsync("/exports/dashboard-reasons.csv"), out var header);
        Assert.Equal(["call_reason", "name", "calls", "average_percent", "pass_rate"], header);
        var tagged = await app.Db.Run(c => c.QueryAsync<(string, long)>("""
            SELECT r.reason_id, COUNT(*) FROM scorecard_reasons r JOIN scorecards s ON s.id = r.scorecard_id AND s.is_current = 1
            GROUP BY r.reason_id
            """));
        Assert.Equal(tagged.OrderBy(t => t.Item1).Select(t => (t.Item1, t.Item2.ToString())),
            reasons.Select(r => (r[0]!, r[2]!)).OrderBy(t => t.Item1));

        var items = Xlsx(await admin.GetByteArrayAsync("/exports/dashboard-items.xlsx"));
        Assert.Equal(["item_id", "judged", "failed", "failure_rate"], items[0].Select(v => v?.ToString()));
        Assert.True(items.Count > 1);

        var audit = Csv(await admin.GetByteArrayAsync("/exports/audit.csv"), out header);
        Assert.Equal(["id", "at", "actor", "action", "entity", "entity_id", "detail"], header);
        var entries = await app.Db.Run(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log"));
        Assert.True(audit.Count >= entries); // the log only grows while the test runs

        var monitor = await app.Client("monitor1");
        Assert.Equal(HttpStatusCode.Forbidden, (await monitor.GetAsync("/exports/audit.xlsx")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/exports/audit.pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/exports/scorecards.csv?from=yesterday")).StatusCode);
    }
}
