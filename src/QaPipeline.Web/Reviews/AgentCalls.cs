using QaPipeline.Storage;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

public sealed record TrendPoint(string Period, int Calls, double AverageScore, double PassRate);

/// <summary>An agent's own calls (and nobody else's): the SQL is pinned to the viewer's agent id.</summary>
public sealed class AgentCalls(ReportRepository reports)
{
    public async Task<IReadOnlyList<AgentCallRow>> Recent(Viewer viewer, int limit = 100, CancellationToken ct = default) =>
        viewer.AgentId is null ? [] : await reports.AgentCalls(viewer.AgentId, limit, ct);

    /// <summary>Weekly average score (human final score where a review exists) and pass rate of the agent.</summary>
    public static IReadOnlyList<TrendPoint> Weekly(IEnumerable<AgentCallRow> calls, double passPercent = 80) =>
        calls.Where(c => c.StartedAt is not null)
            .GroupBy(c => Dashboards.QaDashboard.WeekOf(c.StartedAt!.Value))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TrendPoint(g.Key, g.Count(),
                g.Average(c => 100 * (c.FinalScore ?? c.Score) / Math.Max(1, c.MaxScore)),
                g.Count(c => !c.Fatal && 100 * (c.FinalScore ?? c.Score) / Math.Max(1, c.MaxScore) >= passPercent) / (double)g.Count()))
            .ToList();
}
