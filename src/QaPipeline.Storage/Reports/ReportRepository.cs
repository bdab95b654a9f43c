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

/// <summary>A rubric version's pass score in points (a call passes at or above it, unless a fatal item failed).</summary>
public sealed record RubricPassMark(string RubricId, string? Version, double PassScore);

/// <summary>The window and grouping of a dashboard: calls started in [From, To) that the scope lets through. A call
/// passes at its rubric's pass score (<paramref name="PassMarks"/>: exact versions first, then a version-less mark per
/// rubric id), else at <paramref name="FallbackPassPercent"/> of its maximum.</summary>
public sealed record DashboardWindow(CallScope Scope, DateTime From, DateTime To, string? Team, IReadOnlyList<RubricPassMark> PassMarks,
    double FallbackPassPercent);

/// <summary>One agent's calls in a dashboard window, on the score that counts.</summary>
public sealed class AgentTotals
{
    public string? AgentId { get; init; }
    public string? AgentName { get; init; }
    public long Calls { get; init; }
    public long Reviewed { get; init; }
    public double ScoreSum { get; init; }
    public double MaxSum { get; init; }
    public long Passed { get; init; }
    public long UpheldDisputes { get; init; }
    public double AvgPercent => MaxSum == 0 ? 0 : 100 * ScoreSum / MaxSum;
    public double PassRate => Calls == 0 ? 0 : (double)Passed / Calls;
}

/// <summary>The numbers of the QA lead's dashboard and an agent's own call list, aggregated in SQL.</summary>
public sealed class ReportRepository(Database db)
{
    /// <summary>An agent's own calls, newest first, with the current review version's final score and acknowledgement, and open disputes.</summary>
    public async Task<IReadOnlyList<AgentCallRow>> AgentCalls(string agentId, int limit, CancellationToken ct = default)
    {
        var (top, tail) = db.Dialect.RowLimit("@limit");
        var sql = $"""
            SELECT {top} c.id AS call_id, c.external_call_id, c.started_at, c.queue,
                   s.score, s.max_score, s.fatal,
                   lr.final_score, lr.acknowledged_at,
                   (SELECT COUNT(*) FROM disputes d WHERE d.call_id = c.id AND d.status = 'open') AS open_disputes
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            -- The current review version only: its final score and whether the agent acknowledged that version (an
            -- acknowledgement of an earlier, reopened version does not carry over — the call page says the same).
            LEFT JOIN reviews lr ON lr.id = (SELECT MAX(r2.id) FROM reviews r2 WHERE r2.call_id = c.id AND r2.status = 'submitted')
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

    // The score that counts on every dashboard: the current review version's final score where a person reviewed the
    // call (upheld disputes are in it: upholding rewrites that version's final score), else the automatic score.
    private const string Reviewed = "LEFT JOIN reviews lr ON lr.id = (SELECT MAX(r2.id) FROM reviews r2 WHERE r2.call_id = c.id AND r2.status = 'submitted')";
    private const string CountingScore = "COALESCE(lr.final_score, s.score)";

    // A pass: at or above the rubric's pass score. A reviewed call's final score already holds a confirmed fatal item
    // (it is 0); an unreviewed one is failed by the automatic fatal flag.
    private static string Passed(DashboardWindow w)
    {
        var marks = string.Concat(w.PassMarks.Select((m, i) => m.Version is null
            ? $" WHEN s.rubric_id = @passRubric{i} THEN @passScore{i}"
            : $" WHEN s.rubric_id = @passRubric{i} AND s.rubric_version = @passVersion{i} THEN @passScore{i}"));
        var points = marks.Length == 0 ? "@fallbackPercent * s.max_score / 100" : $"CASE{marks} ELSE @fallbackPercent * s.max_score / 100 END";
        return $"CASE WHEN (lr.id IS NOT NULL OR s.fatal = @no OR s.fatal IS NULL) AND {CountingScore} >= {points} THEN 1 ELSE 0 END";
    }

    private (string Window, string Group, DynamicParameters Args) Filter(DashboardWindow w)
    {
        var (predicate, scopeArgs) = db.Dialect.CallsIn(w.Scope);
        var args = new DynamicParameters(scopeArgs);
        args.AddDynamicParams(new { from = w.From, to = w.To, yes = true, no = false, fallbackPercent = w.FallbackPassPercent });
        for (var i = 0; i < w.PassMarks.Count; i++)
        {
            args.Add($"passRubric{i}", w.PassMarks[i].RubricId);
            if (w.PassMarks[i].Version is { } version) args.Add($"passVersion{i}", version);
            args.Add($"passScore{i}", w.PassMarks[i].PassScore);
        }
        var teamFilter = "";
        if (w.Team is { Length: > 0 }) { teamFilter = " AND c.team = @team"; args.Add("team", w.Team); }
        var group = w.Team is { Length: > 0 } ? "c.agent_id" : "c.team";
        return ($"c.started_at >= @from AND c.started_at < @to AND {predicate}{teamFilter}", group, args);
    }

    /// <summary>Calls, sums of the score that counts and passes per day and group (team, or agent when a team is chosen).</summary>
    public async Task<IReadOnlyList<DayTotals>> DailyTotals(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, group, args) = Filter(w);
        var rows = await db.Run(c => c.QueryAsync<(string Day, string? Group, long Calls, double ScoreSum, double MaxSum, long Passed)>($"""
            SELECT {DayExpr} AS day, {group} AS grp, COUNT(*) AS calls, SUM({CountingScore}) AS score_sum, SUM(s.max_score) AS max_sum,
                   SUM({Passed(w)}) AS passed
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            {Reviewed}
            WHERE {window}
            GROUP BY {DayExpr}, {group}
            """, args), ct);
        return rows.Select(d => new DayTotals(DateTime.ParseExact(d.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), d.Group, d.Calls,
            d.ScoreSum, d.MaxSum, d.Passed)).ToList();
    }

    /// <summary>Per agent: calls, how many a person reviewed, the score that counts, passes and upheld disputes.</summary>
    public async Task<IReadOnlyList<AgentTotals>> AgentTotals(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        return (await db.Run(c => c.QueryAsync<AgentTotals>($"""
            SELECT c.agent_id, MIN(au.display_name) AS agent_name, COUNT(*) AS calls, COUNT(lr.id) AS reviewed,
                   SUM({CountingScore}) AS score_sum, SUM(s.max_score) AS max_sum, SUM({Passed(w)}) AS passed,
                   CAST(SUM(COALESCE(ud.upheld, 0)) AS BIGINT) AS upheld_disputes
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            {Reviewed}
            LEFT JOIN users au ON au.agent_id = c.agent_id
            LEFT JOIN (SELECT d.call_id, COUNT(*) AS upheld FROM disputes d WHERE d.status = 'upheld' GROUP BY d.call_id) ud ON ud.call_id = c.id
            WHERE {window}
            GROUP BY c.agent_id
            """, args), ct)).OrderBy(a => a.AgentId, StringComparer.Ordinal).ToList();
    }

    // An item's verdict that counts: the current review version's where a person reviewed the call, else the machine's.
    private const string ReviewedItem = "LEFT JOIN review_item_verdicts hv ON hv.review_id = lr.id AND hv.item_id = i.item_id";
    private const string CountingVerdict = "COALESCE(hv.human_verdict, i.verdict)";
    // An item failure rate's two counts: verdicts that judged (pass or fail) and the fails among them.
    private const string JudgedAndFailed = $"""
        SUM(CASE WHEN {CountingVerdict} IN ('pass', 'fail') THEN 1 ELSE 0 END) AS judged,
        SUM(CASE WHEN {CountingVerdict} = 'fail' THEN 1 ELSE 0 END) AS failed
        """;

    /// <summary>Per rubric item: verdicts that judged (pass or fail) and how many failed, human where reviewed.</summary>
    public async Task<IReadOnlyList<ItemRate>> ItemFailures(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        return (await db.Run(c => c.QueryAsync<ItemRate>($"""
            SELECT i.item_id, {JudgedAndFailed}
            FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes JOIN scorecard_items i ON i.scorecard_id = s.id
            {Reviewed}
            {ReviewedItem}
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

    /// <summary>Per item: automatic verdicts the current review version checked and how many it confirmed.</summary>
    public async Task<IReadOnlyList<ItemAgreement>> Agreement(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        return (await db.Run(c => c.QueryAsync<ItemAgreement>($"""
            SELECT v.item_id, COUNT(*) AS reviewed, SUM(CASE WHEN v.human_verdict = v.machine_verdict THEN 1 ELSE 0 END) AS agreed
            FROM review_item_verdicts v JOIN reviews r ON r.id = v.review_id JOIN calls c ON c.id = r.call_id
            WHERE r.status = 'submitted' AND v.machine_verdict <> 'review' AND {window}
              AND r.id = (SELECT MAX(r2.id) FROM reviews r2 WHERE r2.call_id = r.call_id AND r2.status = 'submitted')
            GROUP BY v.item_id
            """, args), ct)).AsList();
    }

    /// <summary>Calls, mean score and pass rate (on the score that counts) per call reason of the current scorecards in the window.</summary>
    public async Task<IReadOnlyList<ReasonBreakdown>> ReasonBreakdown(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        return (await db.Run(c => c.QueryAsync<ReasonBreakdown>($"""
            SELECT r.reason_id, MIN(r.reason_name) AS reason_name, COUNT(*) AS calls, SUM({CountingScore}) AS score_sum, SUM(s.max_score) AS max_sum,
                   SUM({Passed(w)}) AS passed
            FROM scorecard_reasons r JOIN scorecards s ON s.id = r.scorecard_id AND s.is_current = @yes JOIN calls c ON c.id = r.call_id
            {Reviewed}
            WHERE {window}
            GROUP BY r.reason_id
            """, args), ct)).OrderByDescending(b => b.Calls).ThenBy(b => b.ReasonId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Item failure rates per call reason (fail over pass+fail, human verdicts where reviewed) among the same calls.</summary>
    public async Task<IReadOnlyList<ReasonItemRate>> ReasonItemFailures(DashboardWindow w, CancellationToken ct = default)
    {
        var (window, _, args) = Filter(w);
        return (await db.Run(c => c.QueryAsync<ReasonItemRate>($"""
            SELECT r.reason_id, i.item_id, {JudgedAndFailed}
            FROM scorecard_reasons r JOIN scorecards s ON s.id = r.scorecard_id AND s.is_current = @yes JOIN calls c ON c.id = r.call_id
            JOIN scorecard_items i ON i.scorecard_id = r.scorecard_id
            {Reviewed}
            {ReviewedItem}
            WHERE {window}
            GROUP BY r.reason_id, i.item_id
            """, args), ct)).AsList();
    }
}
