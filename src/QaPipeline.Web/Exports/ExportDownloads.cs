using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using QaPipeline.Centre.Exports;
using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Dashboards;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Exports;

/// <summary>
/// The pages' download buttons: <c>/exports/NAME.csv</c> or <c>.xlsx</c> for the scorecards of a period, the review
/// queue as filtered, the dashboard tables and the audit log. Each goes through the same service as its page, so the
/// same row-level rules hold (a monitor's export has their teams' calls, an agent's their own); none of these tables
/// carries the personal numbers that <see cref="Calls.PersonalDataMask"/> hides (no transcript text, no customer number).
/// </summary>
internal static class ExportDownloads
{
    /// <summary>Queue rows exported at most: the queue is worked from the top, and 100 pages is more than a day's work.</summary>
    public const int QueueRowLimit = 5000;

    public static void Map(WebApplication app)
    {
        var exports = app.MapGroup("/exports");

        exports.MapGet("/scorecards.{format}", (string format, string? from, string? to, HttpContext http, ScorecardExport export) =>
        {
            var viewer = http.RequiredViewer();
            if (Parse(format) is not { } kind) return BadFormat();
            if (!TryDate(from, false, out var since) || !TryDate(to, true, out var until))
                return ReviewRuleException.Answer("error.export_dates", 400);
            return File(http, kind, "scorecards", body => export.Write(body, kind, since, until, viewer.ReadScope, withReasons: true, http.RequestAborted));
        });

        exports.MapGet("/queue.{format}", (string format, string? team, string? agent, string? queueName, DateTime? from, DateTime? to,
            string? item, string? reason, string? band, string? order, string? callReason, string? q, string? tab, HttpContext http,
            ReviewQueue queue, CallList callList) =>
        {
            var viewer = http.RequiredViewer();
            if (!viewer.Is(Role.Admin, Role.Monitor)) return Results.StatusCode(403);
            if (Parse(format) is not { } kind) return BadFormat();
            var filter = new QueueFilter(team, agent, queueName, from, to?.AddDays(1), item, reason, band, 0, order, callReason, q);
            string[] header = ["call_id", "external_call_id", "flags", "team", "agent_id", "agent_name", "queue", "started_at", "automatic_score", "max_score", "fatal", "claimed_by"];
            return File(http, kind, "queue", body => TableExport.Write(body, kind, header, QueueRows(queue, callList, tab == "all", viewer, filter, http.RequestAborted), "queue", http.RequestAborted));
        });

        exports.MapGet("/dashboard-{table}.{format}", async (string table, string format, string? team, DateTime? from, DateTime? to, HttpContext http, QaDashboard dashboard) =>
        {
            var viewer = http.RequiredViewer();
            if (!viewer.Is(Role.Admin, Role.Monitor, Role.Trainer, Role.QaLead)) return Results.StatusCode(403);
            if (Parse(format) is not { } kind) return BadFormat();
            DashboardData d;
            try
            {
                var (since, until) = QaDashboard.CheckedRange(from, to);
                d = await dashboard.Load(viewer, InputLimits.OptionalName(team, "field.team"), since, until, http.RequestAborted);
            }
            catch (ReviewRuleException e) { return e.ToResult(); }
            (string[] Header, IEnumerable<object?[]> Rows)? sheet = table switch
            {
                "weekly" => (["week", d.GroupBy, "calls", "average_percent", "pass_rate"],
                    d.Weekly.Select(w => new object?[] { w.Week, w.Group, w.Calls, Math.Round(w.AvgPercent, 2), Math.Round(w.PassRate, 4) })),
                "agents" => (["agent_id", "agent_name", "calls", "reviewed", "average_percent", "passed", "pass_rate", "upheld_disputes"],
                    d.Agents.Select(a => new object?[] { a.AgentId, a.AgentName, a.Calls, a.Reviewed, Math.Round(a.AvgPercent, 2), a.Passed, Math.Round(a.PassRate, 4), a.UpheldDisputes })),
                "items" => (["item_id", "judged", "failed", "failure_rate"], d.ItemFailures.Select(i => new object?[] { i.ItemId, i.Judged, i.Failed, Math.Round(i.Rate, 4) })),
                "monitoring" => (["team", "scored", "reviewed", "monitoring_rate"], d.Monitoring.Select(m => new object?[] { m.Team, m.Scored, m.Reviewed, Math.Round(m.Rate, 4) })),
                "agreement" => (["item_id", "reviewed", "agreed", "agreement_rate"], d.Agreement.Select(a => new object?[] { a.ItemId, a.Reviewed, a.Agreed, Math.Round(a.Rate, 4) })),
                "reasons" => (["call_reason", "name", "calls", "average_percent", "pass_rate"],
                    d.Reasons.Select(r => new object?[] { r.ReasonId, r.ReasonName, r.Calls, Math.Round(r.AvgPercent, 2), Math.Round(r.PassRate, 4) })),
                "reason-items" => (["call_reason", "item_id", "judged", "failed", "failure_rate"],
                    d.ReasonItems.OrderBy(i => i.ReasonId, StringComparer.Ordinal).ThenBy(i => i.ItemId, StringComparer.Ordinal)
                        .Select(i => new object?[] { i.ReasonId, i.ItemId, i.Judged, i.Failed, Math.Round(i.Rate, 4) })),
                _ => null,
            };
            if (sheet is not { } s) return ReviewRuleException.Answer("error.export_tables", 404);
            return File(http, kind, $"dashboard-{table}", body => TableExport.Write(body, kind, s.Header, s.Rows.ToAsyncEnumerable(), table, http.RequestAborted));
        });

        exports.MapGet("/audit.{format}", (string format, HttpContext http, AuditLog audit) =>
        {
            var viewer = http.RequiredViewer();
            if (!viewer.IsAdmin) return Results.StatusCode(403);
            if (Parse(format) is not { } kind) return BadFormat();
            string[] header = ["id", "at", "actor", "action", "entity", "entity_id", "detail"];
            return File(http, kind, "audit-log", body => TableExport.Write(body, kind, header, AuditRows(audit, http.RequestAborted), "audit", http.RequestAborted));
        });
    }

    private static ExportFormat? Parse(string format) => format switch { "csv" => ExportFormat.Csv, "xlsx" => ExportFormat.Xlsx, _ => null };

    private static IResult BadFormat() => ReviewRuleException.Answer("error.export_format", 404);

    private static bool TryDate(string? text, bool endOfPeriod, out DateTime? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (!DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d))
            return false;
        value = endOfPeriod ? d.AddDays(1) : d;
        return true;
    }

    /// <summary>The download, its file name stamped with the centre's clock (the app's <see cref="TimeProvider"/>).</summary>
    private static IResult File(HttpContext http, ExportFormat kind, string name, Func<Stream, Task> write) =>
        Results.Stream(write, TableExport.ContentType(kind),
            $"{name}-{http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow():yyyyMMdd-HHmm}.{TableExport.Extension(kind)}");

    /// <summary>The rows the page shows, page after page: the flagged queue in its order, or all calls newest first.</summary>
    private static async IAsyncEnumerable<object?[]> QueueRows(ReviewQueue queue, CallList callList, bool allCalls, Viewer viewer,
        QueueFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        var sent = 0;
        for (var page = 0; sent < QueueRowLimit; page++)
        {
            IReadOnlyList<QueueRow> rows;
            bool more;
            if (allCalls) (rows, more) = await callList.AllCalls(viewer, filter with { Page = page }, ct);
            else (rows, more) = await queue.Page(viewer, filter with { Page = page }, ct);
            foreach (var r in rows)
            {
                yield return [r.CallId, r.ExternalCallId, string.Join(';', r.Reasons), r.Team, r.AgentId, r.AgentName, r.Queue, r.StartedAt,
                    r.Score, r.MaxScore, r.Fatal, r.ClaimedBy];
                if (++sent >= QueueRowLimit) yield break;
            }
            if (!more) yield break;
        }
    }

    private static async IAsyncEnumerable<object?[]> AuditRows(AuditLog audit, [EnumeratorCancellation] CancellationToken ct)
    {
        long after = 0;
        while (true)
        {
            var page = await audit.Page(after, 1000, ct);
            foreach (var e in page) yield return [e.Id, e.At, e.Actor, e.Action, e.Entity, e.EntityId, e.Detail];
            if (page.Count < 1000) yield break;
            after = page[^1].Id;
        }
    }
}
