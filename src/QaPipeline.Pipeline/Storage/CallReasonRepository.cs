using Dapper;

namespace QaPipeline.Pipeline.Storage;

/// <summary>A call reason and how calls with it fared: calls, mean score (percent of maximum), pass rate.</summary>
public sealed class ReasonBreakdown
{
    public string ReasonId { get; init; } = "";
    public string ReasonName { get; init; } = "";
    public long Calls { get; init; }
    public double ScoreSum { get; init; }
    public double MaxSum { get; init; }
    public long Passed { get; init; }
    public double AvgPercent => MaxSum == 0 ? 0 : 100 * ScoreSum / MaxSum;
    public double PassRate => Calls == 0 ? 0 : (double)Passed / Calls;
}

/// <summary>An item's failure rate among the calls of one reason.</summary>
public sealed class ReasonItemRate
{
    public string ReasonId { get; init; } = "";
    public string ItemId { get; init; } = "";
    public long Judged { get; init; }
    public long Failed { get; init; }
    public double Rate => Judged == 0 ? 0 : (double)Failed / Judged;
}

/// <summary>
/// The call reasons of scorecards (<c>scorecard_reasons</c>, projected from the scorecard JSON with its items):
/// the projection's insert, the list of reasons seen, and the dashboards' breakdown by reason. The breakdowns take
/// the caller's row-level rule as a SQL predicate over <c>calls c</c> with its parameters, as the dashboards do.
/// </summary>
public sealed class CallReasonRepository(Database db)
{
    public sealed record Tag(long ScorecardId, long CallId, string ReasonId, string ReasonName);

    /// <summary>Stores the reasons of projected scorecards; a row already there is left alone (the projection may run twice).</summary>
    public Task Add(IReadOnlyList<Tag> tags, CancellationToken ct = default)
    {
        if (tags.Count == 0) return Task.CompletedTask;
        var insert = db.Engine == DatabaseEngine.SqlServer
            ? """
              INSERT INTO scorecard_reasons (scorecard_id, call_id, reason_id, reason_name)
              SELECT @ScorecardId, @CallId, @ReasonId, @ReasonName
              WHERE NOT EXISTS (SELECT 1 FROM scorecard_reasons WHERE scorecard_id = @ScorecardId AND reason_id = @ReasonId)
              """
            : """
              INSERT INTO scorecard_reasons (scorecard_id, call_id, reason_id, reason_name)
              VALUES (@ScorecardId, @CallId, @ReasonId, @ReasonName) ON CONFLICT DO NOTHING
              """;
        return db.InTransaction((c, tx) => c.ExecuteAsync(insert, tags, tx), ct);
    }

    /// <summary>The reasons that occur, id and name, for the filter drop-downs.</summary>
    public async Task<IReadOnlyList<(string Id, string Name)>> Known(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<(string, string)>(
            "SELECT reason_id, MIN(reason_name) FROM scorecard_reasons GROUP BY reason_id ORDER BY reason_id"), ct)).AsList();

    /// <summary>Calls, mean score and pass rate per reason of the current scorecards of calls started in [from, to).</summary>
    public async Task<IReadOnlyList<ReasonBreakdown>> Breakdown(DateTime from, DateTime to, double passPercent, string predicate, object predicateArgs,
        CancellationToken ct = default)
    {
        var args = new DynamicParameters(predicateArgs);
        args.AddDynamicParams(new { from, to, passPercent, yes = true, no = false });
        return (await db.Run(c => c.QueryAsync<ReasonBreakdown>($"""
            SELECT r.reason_id, MIN(r.reason_name) AS reason_name, COUNT(*) AS calls, SUM(s.score) AS score_sum, SUM(s.max_score) AS max_sum,
                   SUM(CASE WHEN s.fatal = @no AND s.score * 100 >= @passPercent * s.max_score THEN 1 ELSE 0 END) AS passed
            FROM scorecard_reasons r JOIN scorecards s ON s.id = r.scorecard_id AND s.is_current = @yes JOIN calls c ON c.id = r.call_id
            WHERE c.started_at >= @from AND c.started_at < @to AND {predicate}
            GROUP BY r.reason_id
            """, args), ct)).OrderByDescending(b => b.Calls).ThenBy(b => b.ReasonId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Item failure rates per reason (fail over pass+fail) among the same calls.</summary>
    public async Task<IReadOnlyList<ReasonItemRate>> ItemFailures(DateTime from, DateTime to, string predicate, object predicateArgs,
        CancellationToken ct = default)
    {
        var args = new DynamicParameters(predicateArgs);
        args.AddDynamicParams(new { from, to, yes = true });
        return (await db.Run(c => c.QueryAsync<ReasonItemRate>($"""
            SELECT r.reason_id, i.item_id, SUM(CASE WHEN i.verdict IN ('pass', 'fail') THEN 1 ELSE 0 END) AS judged,
                   SUM(CASE WHEN i.verdict = 'fail' THEN 1 ELSE 0 END) AS failed
            FROM scorecard_reasons r JOIN scorecards s ON s.id = r.scorecard_id AND s.is_current = @yes JOIN calls c ON c.id = r.call_id
            JOIN scorecard_items i ON i.scorecard_id = r.scorecard_id
            WHERE c.started_at >= @from AND c.started_at < @to AND {predicate}
            GROUP BY r.reason_id, i.item_id
            """, args), ct)).AsList();
    }
}
