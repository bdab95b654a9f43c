using Dapper;

namespace QaPipeline.Storage;

public sealed class DisputeRow
{
    public long Id { get; init; }
    public long CallId { get; init; }
    public long ScorecardId { get; init; }
    public long? ReviewId { get; init; }
    public string RaisedByName { get; init; } = "";
    public string ItemId { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Status { get; init; } = "";
    public string? ResolvedByName { get; init; }
    public string? Resolution { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? ResolvedAt { get; init; }
    public string? Team { get; init; }
    public string? AgentId { get; init; }
    /// <summary>What the agent claims the item should be (pass or na); null on disputes raised before claims existed.</summary>
    public string? ClaimedVerdict { get; init; }
    /// <summary>The decision's effect: the item's verdict and the final score before and after (null while open).</summary>
    public string? VerdictBefore { get; init; }
    public string? VerdictAfter { get; init; }
    public double? ScoreBefore { get; init; }
    public double? ScoreAfter { get; init; }
}

/// <summary>What deciding a dispute changed: the item's verdict and the call's final score, before and after.</summary>
public sealed record DisputeOutcome(string VerdictBefore, string VerdictAfter, double? ScoreBefore, double? ScoreAfter);

/// <summary>An agent's disputes of item verdicts and the monitors' decisions on them.</summary>
public sealed class DisputeRepository(Database db)
{
    public Task<long> Raise(long callId, long scorecardId, long? reviewId, long raisedBy, string itemId, string reason, string claimedVerdict,
        DateTime now, CancellationToken ct = default)
    {
        var insert = db.Dialect.InsertReturningId("disputes (call_id, scorecard_id, review_id, raised_by, item_id, reason, claimed_verdict, status, created_at)",
            "(@callId, @scorecardId, @reviewId, @raisedBy, @itemId, @reason, @claimedVerdict, 'open', @now)");
        return db.Run(c => c.ExecuteScalarAsync<long>(insert, new { callId, scorecardId, reviewId, raisedBy, itemId, reason, claimedVerdict, now }), ct);
    }

    public Task<DisputeRow?> Get(long disputeId, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<DisputeRow>(
            "SELECT id, call_id, scorecard_id, review_id, item_id, reason, claimed_verdict, status, created_at FROM disputes WHERE id = @disputeId",
            new { disputeId }), ct);

    /// <summary>Open disputes on the calls of a scope, oldest first, at most <paramref name="limit"/> (the queue page
    /// lists the first ones and the count; each reason is read in full on its call page).</summary>
    public async Task<IReadOnlyList<DisputeRow>> Open(CallScope scope, CancellationToken ct = default, int limit = 1000)
    {
        var (predicate, args) = db.Dialect.CallsIn(scope);
        var parameters = new DynamicParameters(args);
        parameters.Add("limit", limit);
        var top = db.Engine == DatabaseEngine.SqlServer ? "TOP (@limit)" : "";
        var tail = db.Engine == DatabaseEngine.SqlServer ? "" : "LIMIT @limit";
        return (await db.Run(c => c.QueryAsync<DisputeRow>($"""
            SELECT {top} d.id, d.call_id, d.scorecard_id, d.review_id, u.display_name AS raised_by_name, d.item_id, d.reason, d.status,
                   d.created_at, c.team, c.agent_id
            FROM disputes d JOIN calls c ON c.id = d.call_id JOIN users u ON u.id = d.raised_by
            WHERE d.status = 'open' AND {predicate}
            ORDER BY d.created_at, d.id {tail}
            """, parameters), ct)).AsList();
    }

    /// <summary>How many disputes are open on the calls of a scope.</summary>
    public Task<long> OpenCount(CallScope scope, CancellationToken ct = default)
    {
        var (predicate, args) = db.Dialect.CallsIn(scope);
        return db.Run(c => c.ExecuteScalarAsync<long>(
            $"SELECT COUNT(*) FROM disputes d JOIN calls c ON c.id = d.call_id WHERE d.status = 'open' AND {predicate}", args), ct);
    }

    /// <summary>An upheld dispute on a call nobody reviewed: the decision is recorded as a review version by the deciding
    /// monitor, with every item's verdict (so the score that counts includes it), but an open one — recorded as reopened
    /// at once, by the decider, with no reopen reason — because deciding one item is not a full review: the call stays
    /// claimable and the full review that follows starts from this version. Returns the review's id.</summary>
    public Task<long> UpholdAsReview(long disputeId, long callId, long scorecardId, long reviewerId, double finalScore,
        IReadOnlyList<ItemDecision> verdicts, DateTime now, CancellationToken ct = default)
    {
        var insert = db.Dialect.InsertReturningId(
            "reviews (call_id, scorecard_id, reviewer_id, status, final_score, started_at, submitted_at, reopened_at, reopened_by)",
            "(@callId, @scorecardId, @reviewerId, 'submitted', @finalScore, @now, @now, @now, @reviewerId)");
        return db.InTransaction(async (c, tx) =>
        {
            var reviewId = await c.ExecuteScalarAsync<long>(insert, new { callId, scorecardId, reviewerId, finalScore, now }, tx);
            foreach (var v in verdicts) await ReviewRepository.InsertVerdict(c, tx, reviewId, v);
            await c.ExecuteAsync("UPDATE disputes SET review_id = @reviewId WHERE id = @disputeId", new { reviewId, disputeId }, tx);
            return reviewId;
        }, ct);
    }

    /// <summary>An upheld dispute on a reviewed call: the item's human verdict changes and the final score with it.</summary>
    public Task UpholdOnReview(long disputeId, long reviewId, ItemDecision changed, double finalScore, CancellationToken ct = default) =>
        db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync("""
                UPDATE review_item_verdicts SET human_verdict = @HumanVerdict, deduction = @Deduction, note = @Note
                WHERE review_id = @reviewId AND item_id = @ItemId
                """, new { reviewId, changed.ItemId, changed.HumanVerdict, changed.Deduction, changed.Note }, tx);
            await c.ExecuteAsync("UPDATE reviews SET final_score = @finalScore WHERE id = @reviewId", new { reviewId, finalScore }, tx);
            await c.ExecuteAsync("UPDATE disputes SET review_id = @reviewId WHERE id = @disputeId", new { reviewId, disputeId }, tx);
            return 0;
        }, ct);

    /// <summary>Records the outcome of an open dispute (upheld or rejected), by whom, why and when, and what it changed.</summary>
    public Task Resolve(long disputeId, string status, long resolvedBy, string resolution, DisputeOutcome outcome, DateTime now, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("""
            UPDATE disputes SET status = @status, resolved_by = @resolvedBy, resolution = @resolution, resolved_at = @now,
                   verdict_before = @VerdictBefore, verdict_after = @VerdictAfter, score_before = @ScoreBefore, score_after = @ScoreAfter
            WHERE id = @disputeId AND status = 'open'
            """, new { disputeId, status, resolvedBy, resolution, now, outcome.VerdictBefore, outcome.VerdictAfter, outcome.ScoreBefore, outcome.ScoreAfter }), ct);
}
