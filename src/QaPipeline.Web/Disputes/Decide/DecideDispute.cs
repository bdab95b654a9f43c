using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Disputes;

/// <summary>A monitor of the call's team decides an agent's dispute.</summary>
public sealed class DecideDispute(ReviewAccess access, DisputeRepository disputes, CallDetails details, AuditLog audit)
{
    /// <summary>A monitor upholds (the agent was right: the item's final verdict flips and the final score is
    /// recomputed) or rejects a dispute. Either way the outcome, who and when are recorded and audited.</summary>
    public async Task Decide(Viewer viewer, long disputeId, bool uphold, string resolution, CancellationToken ct = default)
    {
        var dispute = await disputes.Get(disputeId, ct) ?? throw new ReviewRuleException($"no dispute {disputeId}", 404);
        await access.Reviewable(viewer, dispute.CallId, ct);
        if (dispute.Status != "open") throw new ReviewRuleException("this dispute is already decided");
        if (string.IsNullOrWhiteSpace(resolution)) throw new ReviewRuleException("give the outcome a reason", 400);
        var view = await details.Load(viewer, dispute.CallId, ct) ?? throw new ReviewRuleException($"no call {dispute.CallId}", 404);
        var item = view.Items.First(i => i.Id == dispute.ItemId);
        double? newFinal = null;
        if (uphold)
        {
            // The disputed item's final verdict flips: what failed now passes (and a pass the agent disputes as
            // unfair to the customer is not a case agents raise). The automatic verdict stays on record beside it.
            var current = view.SubmittedVerdicts.TryGetValue(item.Id, out var v) ? v.HumanVerdict : item.Verdict;
            var flipped = current == "fail" ? "pass" : "fail";
            var verdicts = view.Items.ToDictionary(i => i.Id, i => view.SubmittedVerdicts.TryGetValue(i.Id, out var hv) ? hv.HumanVerdict : i.Verdict == "review" ? "pass" : i.Verdict);
            verdicts[item.Id] = flipped;
            newFinal = access.FinalScore(view, id => verdicts[id]);
            var note = $"dispute {disputeId} upheld: {resolution.Trim()}";
            if (view.LastSubmitted?.Id is { } reviewId)
                await disputes.UpholdOnReview(disputeId, reviewId,
                    new ItemDecision(item.Id, item.Verdict, flipped, flipped == "fail" && !item.Fatal ? item.ItemDeduction : 0, note), newFinal.Value, ct);
            else
                // Nobody reviewed the call: the decision becomes its human review, by the deciding monitor.
                await disputes.UpholdAsReview(disputeId, dispute.CallId, dispute.ScorecardId, viewer.Id, newFinal.Value,
                    view.Items.Select(i => new ItemDecision(i.Id, i.Verdict, verdicts[i.Id], verdicts[i.Id] == "fail" && !i.Fatal ? i.ItemDeduction : 0,
                        i.Id == item.Id ? note : null)).ToList(), access.Now, ct);
        }
        await disputes.Resolve(disputeId, uphold ? "upheld" : "rejected", viewer.Id, resolution.Trim(), access.Now, ct);
        await audit.Write(viewer.Login, uphold ? "dispute upheld" : "dispute rejected", "call", dispute.CallId.ToString(),
            $"dispute {disputeId} on {dispute.ItemId}: {resolution.Trim()}" + (newFinal is { } f ? $"; final score {f:0.##}" : ""), access.Now, ct);
    }
}
