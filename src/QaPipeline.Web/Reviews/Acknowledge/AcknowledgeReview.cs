using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

/// <summary>The agent acknowledges the finished review of their call.</summary>
public sealed class AcknowledgeReview(ReviewAccess access, ReviewRepository reviews, AuditLog audit)
{
    public async Task Acknowledge(Viewer viewer, long callId, CancellationToken ct = default)
    {
        var view = await access.AgentsOwnCall(viewer, callId, ct);
        if (view.LastSubmitted is not { } review) throw new ReviewRuleException("error.no_review_to_acknowledge");
        await reviews.Acknowledge(review.Id, access.Now, ct);
        await audit.Write(viewer.Login, "acknowledge", "call", callId.ToString(), $"review {review.Id}", access.Now, ct);
    }
}
