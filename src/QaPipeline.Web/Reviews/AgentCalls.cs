using Dapper;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

public sealed class AgentCallRow
{
    public long CallId { get; init; }
    public string? ExternalCallId { get; init; }
    public DateTime? StartedAt { get; init; }
    public string? Queue { get; init; }
    public double Score { get; init; }
    public double MaxScore { get; init; }
    public bool Fatal { get; init; }
    public double? FinalScore { get; init; }
    public DateTime? AcknowledgedAt { get; init; }
    public int OpenDisputes { get; init; }
}

public sealed record TrendPoint(string Period, int Calls, double AverageScore, double PassRate);

/// <summary>An agent's own calls (and nobody else's): the SQL is pinned to the viewer's agent id.</summary>
public sealed class AgentCalls(Database db)
{
    public async Task<IReadOnlyList<AgentCallRow>> Recent(Viewer viewer, int limit = 100, CancellationToken ct = default)
    {
        if (viewer.AgentId is null) return [];
        var sql = $"""
            SELECT {(db.Engine == DatabaseEngine.SqlServer ? "TOP (@limit)" : "")} c.id AS call_id, c.external_call_id, c.started_at, c.queue,
                   s.score, s.max_score, s.fatal,
                   (SELECT MAX(r.final_score) FROM reviews r WHERE r.call_id = c.id AND r.status = 'submitted'
                       AND r.id = (SELECT MAX(r2.id) FROM reviews r2 WHERE r2.call_id = c.id AND r2.status = 'submitted')) AS final_score,
                   (SELECT MAX(r.acknowledged_at) FROM reviews r WHERE r.call_id = c.id AND r.status = 'submitted') AS acknowledged_at,
                   (SELECT COUNT(*) FROM disputes d WHERE d.call_id = c.id AND d.status = 'open') AS open_disputes
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            WHERE c.agent_id = @agentId
            ORDER BY c.started_at DESC, c.id DESC
            {(db.Engine == DatabaseEngine.SqlServer ? "" : "LIMIT @limit")}
            """;
        return (await db.Run(c => c.QueryAsync<AgentCallRow>(sql, new { agentId = viewer.AgentId, yes = true, limit }), ct)).AsList();
    }

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
