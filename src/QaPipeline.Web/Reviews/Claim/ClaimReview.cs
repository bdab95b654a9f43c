using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

/// <summary>A monitor claims a call for review (the claim is the lock) or gives the claim back.</summary>
public sealed class ClaimReview(ReviewAccess access, ReviewRepository reviews, ResultRepository results, AuditLog audit)
{
    /// <summary>Claims a call for review. The unique index on draft reviews makes the claim a lock: a second monitor
    /// gets a conflict naming who holds it. Claiming a call you already hold is a no-op. A call whose review is final
    /// is closed until someone reopens it (<see cref="ReopenReview"/>).</summary>
    public async Task<long> Claim(Viewer viewer, long callId, CancellationToken ct = default)
    {
        await access.Reviewable(viewer, callId, ct);
        if (await reviews.Draft(callId, ct) is { } held)
            return held.ReviewerId == viewer.Id ? held.Id : throw new ReviewRuleException("error.already_claimed_by", 409, held.ReviewerName);
        if (await reviews.LatestSubmitted(callId, ct) is { ReopenedAt: null })
            throw new ReviewRuleException("error.review_call_final_reopen", 409);
        var scorecardId = (await results.CurrentScorecard(callId, ct))?.Id ?? throw new ReviewRuleException("error.call_has_no_scorecard");
        if (await reviews.Claim(callId, scorecardId, viewer.Id, access.Now, ct) is { } id) return id;
        var winner = await reviews.Draft(callId, ct);
        throw new ReviewRuleException("error.already_claimed_by", 409, winner?.ReviewerName ?? "another monitor");
    }

    /// <summary>Gives a claim back (the holder, or an admin freeing a call someone left claimed).</summary>
    public async Task Release(Viewer viewer, long callId, CancellationToken ct = default)
    {
        await access.Reviewable(viewer, callId, ct);
        var draft = await reviews.Draft(callId, ct) ?? throw new ReviewRuleException("error.call_not_claimed");
        if (draft.ReviewerId != viewer.Id && !viewer.IsAdmin) throw new ReviewRuleException("error.claimed_by", 403, draft.ReviewerName);
        await reviews.Release(draft.Id, callId, ct);
        await audit.Write(viewer.Login, "release", "call", callId.ToString(), null, access.Now, ct);
    }
}
