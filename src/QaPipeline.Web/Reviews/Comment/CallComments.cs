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
        body = InputLimits.Text(body, "the comment is empty", "comment", "批注");
        if (atSeconds is { } at)
            InputLimits.CallTime(at, (await details.Load(viewer, callId, ct))?.DurationSeconds, "comment time", "批注时间");
        await reviews.AddComment(callId, viewer.Id, atSeconds, body, access.Now, ct);
    }
}
