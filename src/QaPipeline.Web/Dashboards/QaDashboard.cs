using System.Globalization;
using Dapper;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Dashboards;

public sealed class ItemRate
{
    public string ItemId { get; init; } = "";
    public long Judged { get; init; }
    public long Failed { get; init; }
    public double Rate => Judged == 0 ? 0 : (double)Failed / Judged;
}

public sealed class MonitoringRate
{
    public string Team { get; init; } = "";
    public long Scored { get; init; }
    public long Reviewed { get; init; }
    public double Rate => Scored == 0 ? 0 : (double)Reviewed / Scored;
}

public sealed class ItemAgreement
{
    public string ItemId { get; init; } = "";
    public long Reviewed { get; init; }
    public long Agreed { get; init; }
    public double Rate => Reviewed == 0 ? 0 : (double)Agreed / Reviewed;
}

public sealed record DashboardData(DateTime From, DateTime To, string GroupBy,
    IReadOnlyList<(string Week, string Group, int Calls, double AvgPercent, double PassRate)> Weekly,
    IReadOnlyList<ItemRate> ItemFailures, IReadOnlyList<MonitoringRate> Monitoring, IReadOnlyList<ItemAgreement> Agreement)
{
    /// <summary>Scores by call reason (why the customer called), most frequent reason first.</summary>
    public IReadOnlyList<ReasonBreakdown> Reasons { get; init; } = [];

    /// <summary>Item failure rates within each call reason.</summary>
    public IReadOnlyList<ReasonItemRate> ReasonItems { get; init; } = [];
}

/// <summary>
/// The QA lead's numbers over a window (default: the 12 weeks up to the latest call): average score and pass rate
/// per week by team (or by agent within a team), item failure rates, the monitoring rate (监控率: reviewed calls
/// over scored calls) per team, scores and item failure rates by call reason, and how often the human review agreed with the automatic verdict per item.
/// Aggregation is done in SQL per day; weeks are formed here so every engine groups the same way.
/// </summary>
public sealed class QaDashboard(Database db, CallReasonRepository callReasons)
{
    public static string WeekOf(DateTime day) =>
        $"{ISOWeek.GetYear(day)}-W{ISOWeek.GetWeekOfYear(day):00}";

    private string DayExpr => db.Engine switch
    {
        DatabaseEngine.Sqlite => "substr(c.started_at, 1, 10)",
        DatabaseEngine.Postgres => "to_char(c.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        _ => "CONVERT(char(10), c.started_at, 23)",
    };

    public async Task<DashboardData> Load(Viewer viewer, string? team, int weeks = 12, double passPercent = 80, CancellationToken ct = default)
    {
        var (predicate, viewerArgs) = viewer.CallPredicate(db.Engine);
        var latest = await db.Run(c => c.ExecuteScalarAsync<DateTime?>("SELECT MAX(started_at) FROM calls"), ct) ?? DateTime.UtcNow;
        var to = latest.Date.AddDays(1);
        var from = to.AddDays(-7 * weeks);
        var args = new DynamicParameters(viewerArgs);
        args.AddDynamicParams(new { from, to, yes = true, passPercent });
        var teamFilter = "";
        if (team is { Length: > 0 }) { teamFilter = " AND c.team = @team"; args.Add("team", team); }
        var group = team is { Length: > 0 } ? "c.agent_id" : "c.team";
        var window = $"c.started_at >= @from AND c.started_at < @to AND {predicate}{teamFilter}";
        var days = await db.Run(c => c.QueryAsync<(string Day, string? Group, long Calls, double ScoreSum, double MaxSum, long Passed)>($"""
            SELECT {DayExpr} AS day, {group} AS grp, COUNT(*) AS calls, SUM(s.score) AS score_sum, SUM(s.max_score) AS max_sum,
                   SUM(CASE WHEN s.fatal = @no OR s.fatal IS NULL THEN CASE WHEN s.score * 100 >= @passPercent * s.max_score THEN 1 ELSE 0 END ELSE 0 END) AS passed
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            WHERE {window}
            GROUP BY {DayExpr}, {group}
            """, Merge(args, new { no = false })), ct);
        var weekly = days.GroupBy(d => (Week: WeekOf(DateTime.ParseExact(d.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture)), Group: d.Group ?? "-"))
            .Select(g => (g.Key.Week, g.Key.Group, (int)g.Sum(d => d.Calls), 100 * g.Sum(d => d.ScoreSum) / Math.Max(1, g.Sum(d => d.MaxSum)), g.Sum(d => d.Passed) / (double)Math.Max(1, g.Sum(d => d.Calls))))
            .OrderBy(w => w.Week, StringComparer.Ordinal).ThenBy(w => w.Group, StringComparer.Ordinal).ToList();
        var items = (await db.Run(c => c.QueryAsync<ItemRate>($"""
            SELECT i.item_id, SUM(CASE WHEN i.verdict IN ('pass', 'fail') THEN 1 ELSE 0 END) AS judged, SUM(CASE WHEN i.verdict = 'fail' THEN 1 ELSE 0 END) AS failed
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes JOIN scorecard_items i ON i.scorecard_id = s.id
            WHERE {window}
            GROUP BY i.item_id
            """, args), ct)).OrderByDescending(i => i.Rate).ToList();
        var monitoring = (await db.Run(c => c.QueryAsync<MonitoringRate>($"""
            SELECT COALESCE(c.team, '-') AS team, COUNT(*) AS scored,
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM reviews r WHERE r.call_id = c.id AND r.status = 'submitted') THEN 1 ELSE 0 END) AS reviewed
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            WHERE {window}
            GROUP BY COALESCE(c.team, '-')
            """, args), ct)).OrderBy(m => m.Team, StringComparer.Ordinal).ToList();
        var agreement = (await db.Run(c => c.QueryAsync<ItemAgreement>($"""
            SELECT v.item_id, COUNT(*) AS reviewed, SUM(CASE WHEN v.human_verdict = v.machine_verdict THEN 1 ELSE 0 END) AS agreed
            FROM review_item_verdicts v JOIN reviews r ON r.id = v.review_id JOIN calls c ON c.id = r.call_id
            WHERE r.status = 'submitted' AND v.machine_verdict <> 'review' AND {window}
            GROUP BY v.item_id
            """, args), ct)).OrderBy(a => a.Rate).ToList();
        var scope = $"{predicate}{teamFilter}";
        return new DashboardData(from, to, team is { Length: > 0 } ? "agent" : "team", weekly, items, monitoring, agreement)
        {
            Reasons = await callReasons.Breakdown(from, to, passPercent, scope, args, ct),
            ReasonItems = await callReasons.ItemFailures(from, to, scope, args, ct),
        };
    }

    private static DynamicParameters Merge(DynamicParameters args, object more)
    {
        var merged = new DynamicParameters(args);
        merged.AddDynamicParams(more);
        return merged;
    }
}
