using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Reviews;
using QaPipeline.Scoring;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Web.Disputes;

/// <summary>A monitor of the call's team decides an agent's dispute.</summary>
public sealed class DecideDispute(ReviewAccess access, DisputeRepository disputes, CallDetails details, AuditLog audit)
{
    /// <summary>A monitor upholds or rejects a dispute. Upholding withdraws the deduction: the item becomes what the
    /// agent claimed (pass, or n/a), never a new fail, and the final score is recomputed. The verdict and the final
    /// score before and after are stored on the dispute (the agent sees them on the call page) and audited.</summary>
    public async Task Decide(Viewer viewer, long disputeId, bool uphold, string resolution, CancellationToken ct = default)
    {
        var dispute = await disputes.Get(disputeId, ct) ?? throw new ReviewRuleException("error.no_dispute", 404, disputeId);
        await access.Reviewable(viewer, dispute.CallId, ct);
        if (dispute.Status != "open") throw new ReviewRuleException("error.dispute_already_decided");
        resolution = InputLimits.Text(resolution, "error.resolution_empty", "field.resolution");
        var view = await details.Load(viewer, dispute.CallId, ct) ?? throw new ReviewRuleException("error.no_call", 404, dispute.CallId);
        var item = view.Items.First(i => i.Id == dispute.ItemId);
        var before = RaiseDispute.CurrentVerdict(view, item);
        var scoreBefore = view.LastSubmitted?.FinalScore ?? view.Scorecard?.Score;
        var after = before;
        var scoreAfter = scoreBefore;
        if (uphold)
        {
            // The deduction is withdrawn: the item becomes what the agent claimed (a dispute raised before claims
            // existed claims a pass). The automatic verdict stays on record beside it.
            after = dispute.ClaimedVerdict is "na" ? Verdict.Na : Verdict.Pass;
            var verdicts = view.Items.ToDictionary(i => i.Id, i => view.SubmittedVerdicts.TryGetValue(i.Id, out var hv) ? Verdicts.Parse(hv.HumanVerdict)
                : i.Verdict == Verdict.Review ? Verdict.Pass : i.Verdict);
            verdicts[item.Id] = after;
            var newFinal = access.FinalScore(view, id => verdicts[id].Word());
            scoreAfter = newFinal;
            // The note is the deciding monitor's words; the page labels it as an upheld dispute in the viewer's language.
            var note = resolution;
            if (view.LastSubmitted?.Id is { } reviewId)
                await disputes.UpholdOnReview(disputeId, reviewId, new ItemDecision(item.Id, item.Verdict.Word(), after.Word(), 0, note), newFinal, ct);
            else
                // Nobody reviewed the call: the decision is recorded as an open version (not a full review), so the
                // upheld item counts and the call stays claimable for the review it has not had yet.
                await disputes.UpholdAsReview(disputeId, dispute.CallId, dispute.ScorecardId, viewer.Id, newFinal,
                    view.Items.Select(i => new ItemDecision(i.Id, i.Verdict.Word(), verdicts[i.Id].Word(), verdicts[i.Id] == Verdict.Fail && !i.Fatal ? i.ItemDeduction : 0,
                        i.Id == item.Id ? note : null)).ToList(), access.Now, ct);
        }
        await disputes.Resolve(disputeId, uphold ? "upheld" : "rejected", viewer.Id, resolution, new DisputeOutcome(before.Word(), after.Word(), scoreBefore, scoreAfter), access.Now, ct);
        await audit.Write(viewer.Login, uphold ? "dispute upheld" : "dispute rejected", "call", dispute.CallId.ToString(),
            $"dispute {disputeId} on {dispute.ItemId}: {before.Word()} -> {after.Word()}; final score {scoreBefore:0.##} -> {scoreAfter:0.##}: {resolution}", access.Now, ct);
    }
}
