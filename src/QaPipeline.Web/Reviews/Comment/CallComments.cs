using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;

namespace QaPipeline.Web.Reviews;

/// <summary>Monitors of the call's team and trainers comment on a call at a time offset.</summary>
public sealed class CallComments(ReviewAccess access, CallDetails details, ReviewRepository reviews)
{
    public async Task Comment(Viewer viewer, long callId, double? atSeconds, string body, CancellationToken ct = default)
    {
        var call = await details.Readable(viewer, callId, ct) ?? throw new ReviewRuleException("error.no_call", 404, callId);
        if (!viewer.CanReview(call.Team) && !viewer.IsTrainer) throw new ReviewRuleException("error.only_monitors_trainers_comment", 403);
        body = InputLimits.Text(body, "error.comment_empty", "field.comment");
        if (atSeconds is { } at)
            InputLimits.CallTime(at, (await details.Load(viewer, callId, ct))?.DurationSeconds, "field.comment_time");
        await reviews.AddComment(callId, viewer.Id, atSeconds, body, access.Now, ct);
    }
}
