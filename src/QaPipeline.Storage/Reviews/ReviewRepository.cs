using Dapper;

namespace QaPipeline.Storage;

/// <summary>Human reviews of calls: the claim (a draft review), item verdicts, the submitted review with its final
/// score, the agent's acknowledgement, and comments at a time offset.</summary>
public sealed class ReviewRepository(Database db)
{
    private const string ReviewColumns = """
        r.id, r.call_id, r.scorecard_id, r.reviewer_id, u.display_name AS reviewer_name, r.status, r.final_score, r.started_at,
        r.submitted_at, r.acknowledged_at, r.reopened_at, ou.display_name AS reopened_by_name, r.reopen_reason
        """;

    private const string ReviewsWithPeople = "reviews r JOIN users u ON u.id = r.reviewer_id LEFT JOIN users ou ON ou.id = r.reopened_by";

    /// <summary>The draft review of a call (its claim), with who holds it.</summary>
    public Task<ReviewRow?> Draft(long callId, CancellationToken ct = default) =>
        db.Run(c => c.QuerySingleOrDefaultAsync<ReviewRow>($"""
            SELECT {ReviewColumns}
            FROM {ReviewsWithPeople} WHERE r.call_id = @callId AND r.status = 'draft'
            """, new { callId }), ct);

    /// <summary>Claims a call: a draft review, and its open flags go in review. The unique index on draft reviews
    /// makes this a lock; null when another monitor's claim won.</summary>
    public async Task<long?> Claim(long callId, long scorecardId, long reviewerId, DateTime now, CancellationToken ct = default)
    {
        var insert = db.Dialect.InsertReturningId("reviews (call_id, scorecard_id, reviewer_id, status, started_at)",
            "(@callId, @scorecardId, @reviewerId, 'draft', @now)");
        try
        {
            return await db.InTransaction(async (c, tx) =>
            {
                var id = await c.ExecuteScalarAsync<long>(insert, new { callId, scorecardId, reviewerId, now }, tx);
                await c.ExecuteAsync("UPDATE review_flags SET status = 'in_review' WHERE call_id = @callId AND status = 'open'", new { callId }, tx);
                return id;
            }, ct);
        }
        catch (System.Data.Common.DbException e) when (SqlDialect.IsUniqueViolation(e))
        {
            return null;
        }
    }

    /// <summary>Gives a claim back: the draft and its verdicts go, the call's flags are open again.</summary>
    public Task Release(long reviewId, long callId, CancellationToken ct = default) =>
        db.InTransaction(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM review_item_verdicts WHERE review_id = @reviewId", new { reviewId }, tx);
            await c.ExecuteAsync("DELETE FROM reviews WHERE id = @reviewId", new { reviewId }, tx);
            await c.ExecuteAsync("UPDATE review_flags SET status = 'open' WHERE call_id = @callId AND status = 'in_review'", new { callId }, tx);
            return 0;
        }, ct);

    /// <summary>Sets one item's verdict on a review (replacing an earlier one).</summary>
    public Task Decide(long reviewId, ItemDecision decision, CancellationToken ct = default) =>
        db.InTransaction(async (c, tx) =>
        {
            await Upsert(c, tx, reviewId, decision);
            return 0;
        }, ct);

    private static async Task Upsert(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long reviewId, ItemDecision d)
    {
        await c.ExecuteAsync("DELETE FROM review_item_verdicts WHERE review_id = @reviewId AND item_id = @ItemId", new { reviewId, d.ItemId }, tx);
        await InsertVerdict(c, tx, reviewId, d);
    }

    internal static Task InsertVerdict(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long reviewId, ItemDecision d) =>
        c.ExecuteAsync("""
            INSERT INTO review_item_verdicts (review_id, item_id, machine_verdict, human_verdict, deduction, note)
            VALUES (@reviewId, @ItemId, @MachineVerdict, @HumanVerdict, @Deduction, @Note)
            """, new { reviewId, d.ItemId, d.MachineVerdict, d.HumanVerdict, d.Deduction, d.Note }, tx);

    /// <summary>Submits a review in one transaction: the remaining item verdicts, the final score, and the call's
    /// flags closed — all of it or none.</summary>
    public Task Finalise(long reviewId, long callId, IReadOnlyList<ItemDecision> remaining, double finalScore, DateTime now,
        CancellationToken ct = default) =>
        db.InTransaction(async (c, tx) =>
        {
            foreach (var d in remaining) await Upsert(c, tx, reviewId, d);
            await c.ExecuteAsync("UPDATE reviews SET status = 'submitted', final_score = @finalScore, submitted_at = @now WHERE id = @reviewId",
                new { reviewId, finalScore, now }, tx);
            await c.ExecuteAsync("UPDATE review_flags SET status = 'closed' WHERE call_id = @callId", new { callId }, tx);
            return 0;
        }, ct);

    /// <summary>The call's latest finalised review (its current version), reopened or not.</summary>
    public Task<ReviewRow?> LatestSubmitted(long callId, CancellationToken ct = default)
    {
        var (top, tail) = db.Dialect.RowLimit("1");
        return db.Run(c => c.QuerySingleOrDefaultAsync<ReviewRow>($"""
            SELECT {top} {ReviewColumns}
            FROM {ReviewsWithPeople} WHERE r.call_id = @callId AND r.status = 'submitted'
            ORDER BY r.id DESC
            {tail}
            """, new { callId }), ct);
    }

    /// <summary>How many finalised reviews (versions) the call has.</summary>
    public Task<int> SubmittedCount(long callId, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM reviews WHERE call_id = @callId AND status = 'submitted'", new { callId }), ct);

    /// <summary>Reopens a finalised review for another version. False when it was already reopened (two people
    /// reopening at once: the first one's reason stands).</summary>
    public async Task<bool> Reopen(long reviewId, long reopenedBy, string reason, DateTime now, CancellationToken ct = default) =>
        await db.Run(c => c.ExecuteAsync("""
            UPDATE reviews SET reopened_at = @now, reopened_by = @reopenedBy, reopen_reason = @reason
            WHERE id = @reviewId AND status = 'submitted' AND reopened_at IS NULL
            """, new { reviewId, reopenedBy, reason, now }), ct) == 1;

    public Task Acknowledge(long reviewId, DateTime now, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync("UPDATE reviews SET acknowledged_at = @now WHERE id = @reviewId AND acknowledged_at IS NULL",
            new { reviewId, now }), ct);

    public Task AddComment(long callId, long authorId, double? atSeconds, string body, DateTime now, CancellationToken ct = default) =>
        db.Run(c => c.ExecuteAsync(
            "INSERT INTO comments (call_id, author_id, at_seconds, body, created_at) VALUES (@callId, @authorId, @atSeconds, @body, @now)",
            new { callId, authorId, atSeconds, body, now }), ct);

    /// <summary>Reviews, item verdicts, comments and disputes of one call in one round trip.</summary>
    public Task<CallReviewRecords> ForCall(long callId, CancellationToken ct = default) =>
        db.Run(async c =>
        {
            using var grid = await c.QueryMultipleAsync($"""
                SELECT {ReviewColumns}
                FROM {ReviewsWithPeople} WHERE r.call_id = @callId ORDER BY r.id;
                SELECT v.review_id, v.item_id, v.machine_verdict, v.human_verdict, v.deduction, v.note
                FROM review_item_verdicts v JOIN reviews r ON r.id = v.review_id WHERE r.call_id = @callId;
                SELECT m.id, u.display_name AS author_name, m.at_seconds, m.body, m.created_at
                FROM comments m JOIN users u ON u.id = m.author_id WHERE m.call_id = @callId ORDER BY m.at_seconds, m.id;
                SELECT d.id, d.call_id, d.scorecard_id, d.review_id, u.display_name AS raised_by_name, d.item_id, d.reason, d.status,
                       ru.display_name AS resolved_by_name, d.resolution, d.created_at, d.resolved_at, d.claimed_verdict,
                       d.verdict_before, d.verdict_after, d.score_before, d.score_after
                FROM disputes d JOIN users u ON u.id = d.raised_by LEFT JOIN users ru ON ru.id = d.resolved_by
                WHERE d.call_id = @callId ORDER BY d.id;
                """, new { callId });
            return new CallReviewRecords((await grid.ReadAsync<ReviewRow>()).AsList(), (await grid.ReadAsync<HumanVerdictRow>()).AsList(),
                (await grid.ReadAsync<CommentRow>()).AsList(), (await grid.ReadAsync<DisputeRow>()).AsList());
        }, ct);
}
