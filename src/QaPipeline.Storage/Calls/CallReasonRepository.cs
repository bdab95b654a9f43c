using Dapper;

namespace QaPipeline.Storage;

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
/// the projection's insert and the list of reasons seen. The dashboards' breakdown by reason is in
/// <see cref="ReportRepository"/> beside the other dashboard tables (same window and row-level rule).
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

    /// <summary>The reasons that occur, id and name (the least by the engine's ordering where a reason was renamed), for
    /// the filter drop-downs. Every queue view asks, so SQLite and PostgreSQL walk <c>ix_scorecard_reasons_name</c> one
    /// seek per reason (a skip-scan: the next id after the last one) instead of grouping every scorecard's reasons;
    /// SQL Server allows no subquery in a recursive CTE and groups along the same index.</summary>
    public async Task<IReadOnlyList<(string Id, string Name)>> Known(CancellationToken ct = default)
    {
        var sql = db.Engine == DatabaseEngine.SqlServer
            ? "SELECT reason_id, MIN(reason_name) FROM scorecard_reasons GROUP BY reason_id ORDER BY reason_id"
            : """
              WITH RECURSIVE known (reason_id) AS (
                  SELECT MIN(reason_id) FROM scorecard_reasons
                  UNION ALL
                  SELECT (SELECT MIN(r.reason_id) FROM scorecard_reasons r WHERE r.reason_id > k.reason_id)
                  FROM known k WHERE k.reason_id IS NOT NULL)
              SELECT k.reason_id, (SELECT MIN(n.reason_name) FROM scorecard_reasons n WHERE n.reason_id = k.reason_id)
              FROM known k WHERE k.reason_id IS NOT NULL
              ORDER BY k.reason_id
              """;
        return (await db.Run(c => c.QueryAsync<(string, string)>(sql), ct)).AsList();
    }
}
