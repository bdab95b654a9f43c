using Dapper;

namespace QaPipeline.Storage;

/// <summary>A submitted review with what the pipeline stored for its call: the scorecard the reviewer saw, the
/// transcript and the acoustic facts (JSON as stored).</summary>
public sealed class ReviewedCallRow
{
    public long ReviewId { get; init; }
    public long CallId { get; init; }
    public string? AgentId { get; init; }
    public DateTime SubmittedAt { get; init; }
    public string ScorecardJson { get; init; } = "";
    public string? TranscriptJson { get; init; }
    public string? FactsJson { get; init; }
}

/// <summary>One human decision on an automatic item verdict.</summary>
public sealed class ReviewedItemRow
{
    public long ReviewId { get; init; }
    public string ItemId { get; init; } = "";
    public string MachineVerdict { get; init; } = "";
    public string HumanVerdict { get; init; } = "";
}

/// <summary>How many of an agent's automatic verdicts reviewers checked, and how many they overturned.</summary>
public sealed class AgentReviewCount
{
    public string? AgentId { get; init; }
    public long Reviewed { get; init; }
    public long Overturned { get; init; }
}

/// <summary>
/// Every human decision on an automatic item verdict (submitted reviews, review_item_verdicts) joined to what the
/// pipeline stored for that call: the labelled examples of the review-priority model (QaPipeline.Learning).
/// </summary>
public sealed class ReviewHistoryRepository(Database db)
{
    /// <summary>Submitted reviews with the stored results of their call, oldest first, and their item decisions.
    /// Plain joins: the same SQL on every engine.</summary>
    public Task<(IReadOnlyList<ReviewedCallRow> Calls, IReadOnlyList<ReviewedItemRow> Items)> Submitted(CancellationToken ct = default) =>
        db.Run<(IReadOnlyList<ReviewedCallRow>, IReadOnlyList<ReviewedItemRow>)>(async c =>
        {
            var calls = (await c.QueryAsync<ReviewedCallRow>("""
                SELECT r.id AS review_id, r.call_id, c.agent_id, r.submitted_at,
                       s.json AS scorecard_json, t.json AS transcript_json, a.json AS facts_json
                FROM reviews r
                JOIN calls c ON c.id = r.call_id
                JOIN scorecards s ON s.id = r.scorecard_id
                LEFT JOIN transcripts t ON t.call_id = r.call_id
                LEFT JOIN acoustic_facts a ON a.call_id = r.call_id
                WHERE r.status = @submitted AND r.submitted_at IS NOT NULL
                ORDER BY r.submitted_at, r.id
                """, new { submitted = "submitted" })).AsList();
            var items = (await c.QueryAsync<ReviewedItemRow>("""
                SELECT v.review_id, v.item_id, v.machine_verdict, v.human_verdict
                FROM review_item_verdicts v
                JOIN reviews r ON r.id = v.review_id
                WHERE r.status = @submitted AND r.submitted_at IS NOT NULL
                """, new { submitted = "submitted" })).AsList();
            return (calls, items);
        }, ct);

    /// <summary>Per agent: reviewed automatic verdicts and how many a reviewer overturned, over every submitted review.</summary>
    public async Task<IReadOnlyList<AgentReviewCount>> CountsByAgent(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<AgentReviewCount>("""
            SELECT c.agent_id, COUNT(*) AS reviewed,
                   SUM(CASE WHEN v.machine_verdict <> v.human_verdict THEN 1 ELSE 0 END) AS overturned
            FROM review_item_verdicts v
            JOIN reviews r ON r.id = v.review_id
            JOIN calls c ON c.id = r.call_id
            WHERE r.status = @submitted
            GROUP BY c.agent_id
            """, new { submitted = "submitted" }), ct)).AsList();

    /// <summary>The stored scorecard, transcript and acoustic facts of calls (current scorecards), for ranking queued verdicts.</summary>
    public async Task<IReadOnlyList<StoredCallRow>> StoredCalls(IReadOnlyCollection<long> callIds, CancellationToken ct = default) =>
        callIds.Count == 0 ? [] : (await db.Run(c => c.QueryAsync<StoredCallRow>($"""
            SELECT c.id AS call_id, c.agent_id, s.json AS scorecard_json, t.json AS transcript_json, a.json AS facts_json
            FROM calls c
            JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            LEFT JOIN transcripts t ON t.call_id = c.id
            LEFT JOIN acoustic_facts a ON a.call_id = c.id
            WHERE {db.Dialect.InList("c.id", "ids")}
            """, new { ids = callIds.ToArray(), yes = true }), ct)).AsList();
}

/// <summary>A call's current scorecard, transcript and acoustic facts as stored (JSON).</summary>
public sealed class StoredCallRow
{
    public long CallId { get; init; }
    public string? AgentId { get; init; }
    public string ScorecardJson { get; init; } = "";
    public string? TranscriptJson { get; init; }
    public string? FactsJson { get; init; }
}
