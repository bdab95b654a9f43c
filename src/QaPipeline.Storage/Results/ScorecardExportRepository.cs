using Dapper;

namespace QaPipeline.Storage;

/// <summary>One scored call as the scorecard export lists it: the current scorecard and the latest submitted review of it.</summary>
public sealed class ScorecardExportRow
{
    public long CallId { get; init; }
    public string? ExternalCallId { get; init; }
    public string? AgentId { get; init; }
    public string? Team { get; init; }
    public string? Queue { get; init; }
    public DateTime? StartedAt { get; init; }
    public string RubricId { get; init; } = "";
    public string RubricVersion { get; init; } = "";
    public double Score { get; init; }
    public bool Fatal { get; init; }
    public string Json { get; init; } = "";
    public long? ReviewId { get; init; }
    public double? FinalScore { get; init; }
}

/// <summary>
/// The reads behind <c>qa export scorecards</c> and the scorecards download: pages in call-id order (keyset, so
/// each page is one short indexed query and nothing holds all rows), and the human verdicts of a page's reviews.
/// The period compares the call's start time, or its ingest time when the platform gave none (as rescoring does).
/// </summary>
public sealed class ScorecardExportRepository(Database db)
{
    // The caller's row-level rule, as every other scoped query spells it.
    private string ScopeSql(CallScope scope, DynamicParameters args)
    {
        var (predicate, scopeArgs) = db.Dialect.CallsIn(scope);
        args.AddDynamicParams(scopeArgs);
        return " AND " + predicate;
    }

    // The period's bounds are added only when given: PostgreSQL cannot type a NULL parameter that is only compared with NULL.
    private static (string Sql, DynamicParameters Args) Period(DateTime? from, DateTime? to)
    {
        var args = new DynamicParameters();
        args.Add("yes", true);
        var sql = "c.status = 'scored'";
        if (from is not null) { sql += " AND COALESCE(c.started_at, c.ingested_at) >= @from"; args.Add("from", from); }
        if (to is not null) { sql += " AND COALESCE(c.started_at, c.ingested_at) < @to"; args.Add("to", to); }
        return (sql, args);
    }

    /// <summary>One current scorecard per distinct rubric file used in the period: their items make the export's columns.</summary>
    public async Task<IReadOnlyList<string>> RubricSamples(DateTime? from, DateTime? to, CallScope scope, CancellationToken ct = default)
    {
        var (period, args) = Period(from, to);
        var sql = $"""
            SELECT s.json FROM scorecards s WHERE s.id IN (
                SELECT MIN(s.id) FROM calls c JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
                WHERE {period}{ScopeSql(scope, args)}
                GROUP BY s.rubric_hash)
            ORDER BY s.id
            """;
        return (await db.Run(c => c.QueryAsync<string>(sql, args), ct)).AsList();
    }

    /// <summary>Up to <paramref name="limit"/> scored calls after <paramref name="afterCallId"/>, in call-id order. The
    /// review is the latest submitted one of the current scorecard: a review of an earlier scorecard judged other verdicts.</summary>
    public async Task<IReadOnlyList<ScorecardExportRow>> Page(DateTime? from, DateTime? to, CallScope scope, long afterCallId, int limit,
        CancellationToken ct = default)
    {
        var (period, args) = Period(from, to);
        args.Add("after", afterCallId);
        args.Add("limit", limit);
        var (top, tail) = db.Engine == DatabaseEngine.SqlServer ? ("TOP (@limit) ", "") : ("", " LIMIT @limit");
        var sql = $"""
            SELECT {top}c.id AS call_id, c.external_call_id, c.agent_id, c.team, c.queue, c.started_at, s.rubric_id, s.rubric_version,
                   s.score, s.fatal, s.json, r.id AS review_id, r.final_score
            FROM calls c
            JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            LEFT JOIN reviews r ON r.id = (SELECT MAX(r2.id) FROM reviews r2 WHERE r2.scorecard_id = s.id AND r2.status = 'submitted')
            WHERE c.id > @after AND {period}{ScopeSql(scope, args)}
            ORDER BY c.id{tail}
            """;
        return (await db.Run(c => c.QueryAsync<ScorecardExportRow>(sql, args), ct)).AsList();
    }

    /// <summary>The human verdicts of some reviews: review id → item id → verdict.</summary>
    public async Task<Dictionary<long, Dictionary<string, string>>> HumanVerdicts(IReadOnlyCollection<long> reviewIds, CancellationToken ct = default)
    {
        var result = new Dictionary<long, Dictionary<string, string>>();
        if (reviewIds.Count == 0) return result;
        var inList = db.Engine == DatabaseEngine.Postgres ? "review_id = ANY(@ids)" : "review_id IN @ids";
        var rows = await db.Run(c => c.QueryAsync<(long ReviewId, string ItemId, string Verdict)>(
            $"SELECT review_id, item_id, human_verdict FROM review_item_verdicts WHERE {inList}", new { ids = reviewIds.ToArray() }), ct);
        foreach (var (reviewId, itemId, verdict) in rows)
        {
            if (!result.TryGetValue(reviewId, out var items)) result[reviewId] = items = new Dictionary<string, string>(StringComparer.Ordinal);
            items[itemId] = verdict;
        }
        return result;
    }
}
