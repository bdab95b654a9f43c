using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;

namespace QaPipeline.Web.Reviews;

/// <summary>Monitors of the call's team and trainers comment on a call at a time offset.</summary>
public sealed class CallComments(ReviewAccess access, CallDetails details, ReviewRepository reviews)
{
    public async Task Comment(Viewer viewer, long callId, double? atSeconds, string body, CancellationToken ct = default)
    {
        var call = await details.Readable(viewer, callId, ct) ?? throw new ReviewRuleException($"no call {callId}", 404);
        if (!viewer.CanReview(call.Team) && !viewer.IsTrainer) throw new ReviewRuleException("only monitors and trainers comment on calls", 403);
        if (string.IsNullOrWhiteSpace(body)) throw new ReviewRuleException("the comment is empty", 400);
        await reviews.AddComment(callId, viewer.Id, atSeconds, body.Trim(), access.Now, ct);
    }
}
