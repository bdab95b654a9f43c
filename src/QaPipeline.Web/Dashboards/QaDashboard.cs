using System.Globalization;
using QaPipeline.Storage;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Dashboards;

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
public sealed class QaDashboard(ReportRepository reports, TimeProvider clock)
{
    public static string WeekOf(DateTime day) =>
        $"{ISOWeek.GetYear(day)}-W{ISOWeek.GetWeekOfYear(day):00}";

    public async Task<DashboardData> Load(Viewer viewer, string? team, int weeks = 12, double passPercent = 80, CancellationToken ct = default)
    {
        var latest = await reports.LatestCallStart(ct) ?? clock.GetUtcNow().UtcDateTime;
        var to = latest.Date.AddDays(1);
        var from = to.AddDays(-7 * weeks);
        var window = new DashboardWindow(viewer.ReadScope, from, to, team, passPercent);
        var days = await reports.DailyTotals(window, ct);
        var weekly = days.GroupBy(d => (Week: WeekOf(d.Day), Group: d.Group ?? "-"))
            .Select(g => (g.Key.Week, g.Key.Group, (int)g.Sum(d => d.Calls), 100 * g.Sum(d => d.ScoreSum) / Math.Max(1, g.Sum(d => d.MaxSum)), g.Sum(d => d.Passed) / (double)Math.Max(1, g.Sum(d => d.Calls))))
            .OrderBy(w => w.Week, StringComparer.Ordinal).ThenBy(w => w.Group, StringComparer.Ordinal).ToList();
        var items = (await reports.ItemFailures(window, ct)).OrderByDescending(i => i.Rate).ToList();
        var monitoring = (await reports.Monitoring(window, ct)).OrderBy(m => m.Team, StringComparer.Ordinal).ToList();
        var agreement = (await reports.Agreement(window, ct)).OrderBy(a => a.Rate).ToList();
        return new DashboardData(from, to, team is { Length: > 0 } ? "agent" : "team", weekly, items, monitoring, agreement)
        {
            Reasons = await reports.ReasonBreakdown(window, ct),
            ReasonItems = await reports.ReasonItemFailures(window, ct),
        };
    }
}
