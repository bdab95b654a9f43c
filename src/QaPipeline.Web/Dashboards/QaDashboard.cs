using System.Globalization;
using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Dashboards;

public sealed record DashboardData(DateTime From, DateTime To, string GroupBy,
    IReadOnlyList<(string Week, string Group, int Calls, double AvgPercent, double PassRate)> Weekly,
    IReadOnlyList<ItemRate> ItemFailures, IReadOnlyList<MonitoringRate> Monitoring, IReadOnlyList<ItemAgreement> Agreement)
{
    /// <summary>Scores by call reason (why the customer called), most frequent reason first.</summary>
    public IReadOnlyList<ReasonBreakdown> Reasons { get; init; } = [];

    /// <summary>Item failure rates within each call reason.</summary>
    public IReadOnlyList<ReasonItemRate> ReasonItems { get; init; } = [];

    /// <summary>Per agent of the window (of the chosen team, or every team in scope).</summary>
    public IReadOnlyList<AgentTotals> Agents { get; init; } = [];

    /// <summary>The pass marks used: each rubric's pass score, and the fallback percent for rubrics no longer in the folder.</summary>
    public IReadOnlyList<RubricPassMark> PassMarks { get; init; } = [];
    public double FallbackPassPercent { get; init; }
}

/// <summary>
/// The QA lead's numbers over a window (default: the 12 weeks up to the latest call; or a chosen date range), all on the
/// score that counts — the current human review version's final score where a person reviewed the call (upheld
/// disputes included), else the automatic score — and each rubric's own pass score: average score and pass rate per
/// week by team (or by agent within a team), a per-agent table, item failure rates, the monitoring rate (监控率:
/// reviewed calls over scored calls) per team, scores and item failure rates by call reason, and how often the human
/// review agreed with the automatic verdict per item. Every rate carries its sample size.
/// Aggregation is done in SQL per day; weeks are formed here so every engine groups the same way.
/// </summary>
public sealed class QaDashboard(ReportRepository reports, RubricCatalog rubrics, WebSettings settings, TimeProvider clock)
{
    public static string WeekOf(DateTime day) =>
        $"{ISOWeek.GetYear(day)}-W{ISOWeek.GetWeekOfYear(day):00}";

    /// <summary>The longest window a dashboard aggregates (a sane bound on a typed range).</summary>
    public const int MaxDays = 731;

    /// <summary>The window as typed (days, "to" inclusive), checked: dates 2000–2099, from ≤ to, at most two years.</summary>
    public static (DateTime? From, DateTime? To) CheckedRange(DateTime? from, DateTime? to)
    {
        var f = InputLimits.Date(from, "field.from")?.Date;
        var t = InputLimits.Date(to, "field.to")?.Date;
        if (f is { } a && t is { } b && (b < a || (b - a).TotalDays > MaxDays))
            throw new ReviewRuleException("error.date_range_must_run", 400, MaxDays) { Limit = true };
        return (f, t?.AddDays(1));
    }

    /// <summary>The dashboard of calls started in [from, to) (null: the 12 weeks up to the latest call).</summary>
    public async Task<DashboardData> Load(Viewer viewer, string? team, DateTime? from = null, DateTime? to = null, CancellationToken ct = default)
    {
        var end = to ?? (from is { } start ? start.AddDays(7 * 12) : ((await reports.LatestCallStart(ct)) ?? clock.GetUtcNow().UtcDateTime).Date.AddDays(1));
        var begin = from ?? end.AddDays(-7 * 12);
        var marks = PassMarks();
        var fallback = await settings.PassPercentFallback(ct);
        var window = new DashboardWindow(viewer.ReadScope, begin, end, team, marks, fallback);
        var days = await reports.DailyTotals(window, ct);
        var weekly = days.GroupBy(d => (Week: WeekOf(d.Day), Group: d.Group ?? "-"))
            .Select(g => (g.Key.Week, g.Key.Group, (int)g.Sum(d => d.Calls), 100 * g.Sum(d => d.ScoreSum) / Math.Max(1, g.Sum(d => d.MaxSum)), g.Sum(d => d.Passed) / (double)Math.Max(1, g.Sum(d => d.Calls))))
            .OrderBy(w => w.Week, StringComparer.Ordinal).ThenBy(w => w.Group, StringComparer.Ordinal).ToList();
        var items = (await reports.ItemFailures(window, ct)).OrderByDescending(i => i.Rate).ToList();
        var monitoring = (await reports.Monitoring(window, ct)).OrderBy(m => m.Team, StringComparer.Ordinal).ToList();
        var agreement = (await reports.Agreement(window, ct)).OrderBy(a => a.Rate).ToList();
        return new DashboardData(begin, end, team is { Length: > 0 } ? "agent" : "team", weekly, items, monitoring, agreement)
        {
            Reasons = await reports.ReasonBreakdown(window, ct),
            ReasonItems = await reports.ReasonItemFailures(window, ct),
            Agents = await reports.AgentTotals(window, ct),
            PassMarks = marks,
            FallbackPassPercent = fallback,
        };
    }

    /// <summary>Each rubric version's pass score from the rubric folder, then one per rubric id (the active file's, else
    /// the first) for scorecards of a version no longer there — the same fallback as <see cref="RubricCatalog.Find"/>.</summary>
    private List<RubricPassMark> PassMarks()
    {
        var loaded = rubrics.Files().Where(f => f.Error is null).Select(f => (f, Rubric: rubrics.Find(f.Id, f.Version))).Where(x => x.Rubric is not null).ToList();
        var exact = loaded.Select(x => new RubricPassMark(x.Rubric!.Id, x.Rubric.Version, x.Rubric.PassScore)).DistinctBy(m => (m.RubricId, m.Version));
        var byId = loaded.OrderByDescending(x => x.f.Active).DistinctBy(x => x.Rubric!.Id).Select(x => new RubricPassMark(x.Rubric!.Id, null, x.Rubric.PassScore));
        return [.. exact, .. byId];
    }
}
