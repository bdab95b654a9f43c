using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

/// <summary>
/// A finalised review is closed: nobody claims the call again by accident, and a second review never silently replaces
/// the first. Reopening it is an explicit, audited action with a reason, by a monitor of the call's team or an admin;
/// the next review finalised becomes the next version and needs the agent's acknowledgement again.
/// </summary>
public sealed class ReopenReview(ReviewAccess access, ReviewRepository reviews, AuditLog audit)
{
    public async Task<int> Reopen(Viewer viewer, long callId, string? reason, CancellationToken ct = default)
    {
        await access.Reviewable(viewer, callId, ct);
        reason = InputLimits.Text(reason, "error.reopen_reason_empty", "field.reopen_reason");
        var latest = await reviews.LatestSubmitted(callId, ct)
                     ?? throw new ReviewRuleException("error.no_review_to_reopen", 409);
        if (latest.ReopenedAt is not null || !await reviews.Reopen(latest.Id, viewer.Id, reason, access.Now, ct))
            throw new ReviewRuleException("error.review_already_reopened", 409);
        var version = await reviews.SubmittedCount(callId, ct);
        await audit.Write(viewer.Login, "reopen", "call", callId.ToString(),
            $"review {latest.Id} (version {version}, final {latest.FinalScore:0.##}) reopened: {reason}", access.Now, ct);
        return version;
    }
}
