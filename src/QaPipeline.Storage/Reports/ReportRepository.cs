using System.Globalization;
using Dapper;

namespace QaPipeline.Storage;

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

/// <summary>Scored calls of one day and group (a team, or an agent within a team).</summary>
public sealed record DayTotals(DateTime Day, string? Group, long Calls, double ScoreSum, double MaxSum, long Passed);

/// <summary>The window and grouping of a dashboard: calls started in [From, To) that the scope lets through.</summary>
public sealed record DashboardWindow(CallScope Scope, DateTime From, DateTime To, string? Team, double PassPercent);

/// <summary>The numbers of the QA lead's dashboard and an agent's own call list, aggregated in SQL.</summary>
public sealed class ReportRepository(Database db)
{
    /// <summary>An agent's own calls, newest first, with the human final score, acknowledgement and open disputes.</summary>
    public async Task<IReadOnlyList<AgentCallRow>> AgentCalls(string agentId, int limit, CancellationToken ct = default)
    {
        var (top, tail) = db.Dialect.RowLimit("@limit");
        var sql = $"""
            SELECT {top} c.id AS call_id, c.external_call_id, c.started_at, c.queue,
                   s.score, s.max_score, s.fatal,
                   (SELECT MAX(r.final_score) FROM reviews r WHERE r.call_id = c.id AND r.status = 'submitted'
                       AND r.id = (SELECT MAX(r2.id) FROM reviews r2 WHERE r2.call_id = c.id AND r2.status = 'submitted')) AS final_score,
                   (SELECT MAX(r.acknowledged_at) FROM reviews r WHERE r.call_id = c.id AND r.status = 'submitted') AS acknowledged_at,
                   (SELECT COUNT(*) FROM disputes d WHERE d.call_id = c.id AND d.status = 'open') AS open_disputes
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            WHERE c.agent_id = @agentId
            ORDER BY c.started_at DESC, c.id DESC
            {tail}
            """;
        return (await db.Run(c => c.QueryAsync<AgentCallRow>(sql, new { agentId, yes = true, limit }), ct)).AsList();
    }

    /// <summary>When the latest call started (the dashboard's default window ends there).</summary>
    public Task<DateTime?> LatestCallStart(CancellationToken ct = default) =>
        db.Run(c => c.ExecuteScalarAsync<DateTime?>("SELECT MAX(started_at) FROM calls"), ct);

    // Days are grouped in SQL by each engine's own date formatting; weeks are formed by the caller so every engine
    // groups the same way.
    private string DayExpr => db.Engine switch
    {
        DatabaseEngine.Sqlite => "substr(c.started_at, 1, 10)",
        DatabaseEngine.Postgres => "to_char(c.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        _ => "CONVERT(char(10), c.started_at, 23)",
    };

    private (string Window, string Group, DynamicParameters Args) Filter(DashboardWindow w)
    {
        var (predicate, scopeArgs) = db.Dialect.CallsIn(w.Scope);
        var args = new DynamicParameters(scopeArgs);
        args.AddDynamicParams(new { from = w.From, to = w.To, yes = true, passPercent = w.PassPercent });
        var teamFilter = "";
        if (w.Team is { Length: > 0 }) { teamFilter = " AND c.team = @team"; args.Add("team", w.Team); }
        var group = w.Team is { Length: > 0 } ? "c.agent_id" : "c.team";
        return ($"c.started_at >= @from AND c.started_at < @to AND {predicate}{teamFilter}", group, args);
    }

    /// <summary>Calls, score sums and passes per day and group (team, or agent when a team is chosen).</summary>
    public async Task<IReadOnlyList<DayTotals>> DailyTotals(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, group, args) = Filter(w);
        args.Add("no", false);
        var rows = await db.Run(c => c.QueryAsync<(string Day, string? Group, long Calls, double ScoreSum, double MaxSum, long Passed)>($"""
            SELECT {DayExpr} AS day, {group} AS grp, COUNT(*) AS calls, SUM(s.score) AS score_sum, SUM(s.max_score) AS max_sum,
                   SUM(CASE WHEN s.fatal = @no OR s.fatal IS NULL THEN CASE WHEN s.score * 100 >= @passPercent * s.max_score THEN 1 ELSE 0 END ELSE 0 END) AS passed
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            WHERE {window}
            GROUP BY {DayExpr}, {group}
            """, args), ct);
        return rows.Select(d => new DayTotals(DateTime.ParseExact(d.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), d.Group, d.Calls,
            d.ScoreSum, d.MaxSum, d.Passed)).ToList();
    }

    /// <summary>Per rubric item: automatic verdicts that judged (pass or fail) and how many failed.</summary>
    public async Task<IReadOnlyList<ItemRate>> ItemFailures(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        return (await db.Run(c => c.QueryAsync<ItemRate>($"""
            SELECT i.item_id, SUM(CASE WHEN i.verdict IN ('pass', 'fail') THEN 1 ELSE 0 END) AS judged, SUM(CASE WHEN i.verdict = 'fail' THEN 1 ELSE 0 END) AS failed
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes JOIN scorecard_items i ON i.scorecard_id = s.id
            WHERE {window}
            GROUP BY i.item_id
            """, args), ct)).AsList();
    }

    /// <summary>Per team: scored calls and how many a person reviewed (监控率).</summary>
    public async Task<IReadOnlyList<MonitoringRate>> Monitoring(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        return (await db.Run(c => c.QueryAsync<MonitoringRate>($"""
            SELECT COALESCE(c.team, '-') AS team, COUNT(*) AS scored,
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM reviews r WHERE r.call_id = c.id AND r.status = 'submitted') THEN 1 ELSE 0 END) AS reviewed
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            WHERE {window}
            GROUP BY COALESCE(c.team, '-')
            """, args), ct)).AsList();
    }

    /// <summary>Per item: reviewed automatic verdicts and how many the reviewer confirmed.</summary>
    public async Task<IReadOnlyList<ItemAgreement>> Agreement(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        return (await db.Run(c => c.QueryAsync<ItemAgreement>($"""
            SELECT v.item_id, COUNT(*) AS reviewed, SUM(CASE WHEN v.human_verdict = v.machine_verdict THEN 1 ELSE 0 END) AS agreed
            FROM review_item_verdicts v JOIN reviews r ON r.id = v.review_id JOIN calls c ON c.id = r.call_id
            WHERE r.status = 'submitted' AND v.machine_verdict <> 'review' AND {window}
            GROUP BY v.item_id
            """, args), ct)).AsList();
    }

    /// <summary>Calls, mean score and pass rate per call reason of the current scorecards in the window.</summary>
    public async Task<IReadOnlyList<ReasonBreakdown>> ReasonBreakdown(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        args.Add("no", false);
        return (await db.Run(c => c.QueryAsync<ReasonBreakdown>($"""
            SELECT r.reason_id, MIN(r.reason_name) AS reason_name, COUNT(*) AS calls, SUM(s.score) AS score_sum, SUM(s.max_score) AS max_sum,
                   SUM(CASE WHEN s.fatal = @no AND s.score * 100 >= @passPercent * s.max_score THEN 1 ELSE 0 END) AS passed
            FROM scorecard_reasons r JOIN scorecards s ON s.id = r.scorecard_id AND s.is_current = @yes JOIN calls c ON c.id = r.call_id
            WHERE {window}
            GROUP BY r.reason_id
            """, args), ct)).OrderByDescending(b => b.Calls).ThenBy(b => b.ReasonId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Item failure rates per call reason (fail over pass+fail) among the same calls.</summary>
    public async Task<IReadOnlyList<ReasonItemRate>> ReasonItemFailures(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        return (await db.Run(c => c.QueryAsync<ReasonItemRate>($"""
            SELECT r.reason_id, i.item_id, SUM(CASE WHEN i.verdict IN ('pass', 'fail') THEN 1 ELSE 0 END) AS judged,
                   SUM(CASE WHEN i.verdict = 'fail' THEN 1 ELSE 0 END) AS failed
            FROM scorecard_reasons r JOIN scorecards s ON s.id = r.scorecard_id AND s.is_current = @yes JOIN calls c ON c.id = r.call_id
            JOIN scorecard_items i ON i.scorecard_id = r.scorecard_id
            WHERE {window}
            GROUP BY r.reason_id, i.item_id
            """, args), ct)).AsList();
    }
}
