using QaPipeline.Scoring.Scorecards;
using QaPipeline.Storage;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;

namespace QaPipeline.Web.Reviews;

/// <summary>
/// A monitor's review of one call: claim (the lock), confirm or override each automatic verdict (an override
/// needs a reason and is audited), comments at a time offset, finalise with the human final score beside the
/// automatic one; and the agent's side: acknowledge, or dispute an item within the dispute window, which a
/// monitor then upholds or rejects (audited). All checks happen here, on the server, for pages and API alike.
/// </summary>
public sealed class CallReview(ReviewRepository reviews, DisputeRepository disputes, ResultRepository results, CallDetails details,
    RubricCatalog rubrics, AuditLog audit, WebSettings settings, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task<CallRecord> Reviewable(Viewer viewer, long callId, CancellationToken ct)
    {
        var call = await details.Readable(viewer, callId, ct) ?? throw new ReviewRuleException($"no call {callId}", 404);
        if (!viewer.CanReview(call.Team)) throw new ReviewRuleException("only a monitor of this call's team may review it", 403);
        return call;
    }

    private Task<ReviewRow?> Draft(long callId, CancellationToken ct) => reviews.Draft(callId, ct);

    /// <summary>Claims a call for review. The unique index on draft reviews makes the claim a lock: a second monitor
    /// gets a conflict naming who holds it. Claiming a call you already hold is a no-op.</summary>
    public async Task<long> Claim(Viewer viewer, long callId, CancellationToken ct = default)
    {
        await Reviewable(viewer, callId, ct);
        if (await Draft(callId, ct) is { } held)
            return held.ReviewerId == viewer.Id ? held.Id : throw new ReviewRuleException($"already claimed by {held.ReviewerName}");
        var scorecardId = (await results.CurrentScorecard(callId, ct))?.Id ?? throw new ReviewRuleException("this call has no scorecard yet");
        if (await reviews.Claim(callId, scorecardId, viewer.Id, Now, ct) is { } id) return id;
        var winner = await Draft(callId, ct);
        throw new ReviewRuleException($"already claimed by {winner?.ReviewerName ?? "another monitor"}");
    }

    /// <summary>Gives a claim back (the holder, or an admin freeing a call someone left claimed).</summary>
    public async Task Release(Viewer viewer, long callId, CancellationToken ct = default)
    {
        await Reviewable(viewer, callId, ct);
        var draft = await Draft(callId, ct) ?? throw new ReviewRuleException("this call is not claimed");
        if (draft.ReviewerId != viewer.Id && !viewer.IsAdmin) throw new ReviewRuleException($"claimed by {draft.ReviewerName}", 403);
        await reviews.Release(draft.Id, callId, ct);
        await audit.Write(viewer.Login, "release", "call", callId.ToString(), null, Now, ct);
    }

    private async Task<(ReviewRow Draft, CallView View)> MyDraft(Viewer viewer, long callId, CancellationToken ct)
    {
        await Reviewable(viewer, callId, ct);
        var draft = await Draft(callId, ct) ?? throw new ReviewRuleException("claim the call first");
        if (draft.ReviewerId != viewer.Id) throw new ReviewRuleException($"claimed by {draft.ReviewerName}", 403);
        var view = await details.Load(viewer, callId, ct) ?? throw new ReviewRuleException($"no call {callId}", 404);
        return (draft, view);
    }

    /// <summary>Confirms (same verdict) or overrides (different verdict, reason required) one automatic verdict.</summary>
    public async Task Decide(Viewer viewer, long callId, string itemId, string verdict, string? reason, CancellationToken ct = default)
    {
        if (!Verdicts.IsHuman(verdict)) throw new ReviewRuleException("verdict must be pass, fail or na", 400);
        var (draft, view) = await MyDraft(viewer, callId, ct);
        var item = view.Items.FirstOrDefault(i => i.Id == itemId) ?? throw new ReviewRuleException($"no item {itemId} on this scorecard", 400);
        // Deciding an item the machine left for review is not an override of anything; changing a pass/fail/n.a. is.
        var overrides = item.Verdict != "review" && item.Verdict != verdict;
        reason = InputLimits.OptionalText(reason, "reason", "理由");
        if (overrides && reason is null) throw new ReviewRuleException("an override needs a reason", 400);
        var deduction = verdict == "fail" && !item.Fatal ? item.ItemDeduction : 0;
        await reviews.Decide(draft.Id, new ItemDecision(itemId, item.Verdict, verdict, deduction, reason), ct);
        if (overrides)
            await audit.Write(viewer.Login, "override", "call", callId.ToString(),
                $"{itemId}: {item.Verdict} -> {verdict}: {reason}", Now, ct);
    }

    /// <summary>Finalises the review: items not touched are confirmed as the machine decided them, except items the
    /// machine left for review, which a person must decide. Stores the human final score and closes the flags.</summary>
    public async Task<double> Finalise(Viewer viewer, long callId, CancellationToken ct = default)
    {
        var (draft, view) = await MyDraft(viewer, callId, ct);
        var undecided = view.Items.Where(i => i.Verdict == "review" && !view.DraftVerdicts.ContainsKey(i.Id)).Select(i => i.Id).ToList();
        if (undecided.Count > 0) throw new ReviewRuleException("decide these items first: " + string.Join(", ", undecided), 400);
        var remaining = view.Items.Where(i => !view.DraftVerdicts.ContainsKey(i.Id))
            .Select(i => new ItemDecision(i.Id, i.Verdict, i.Verdict, i.Verdict == "fail" && !i.Fatal ? i.ItemDeduction : 0)).ToList();
        var final = FinalOf(view, id => view.DraftVerdicts.TryGetValue(id, out var v) ? v.HumanVerdict : null);
        // One transaction: the confirmed verdicts, the final score and the closed flags land together or not at all.
        await reviews.Finalise(draft.Id, callId, remaining, final, Now, ct);
        await audit.Write(viewer.Login, "finalise", "call", callId.ToString(),
            $"review {draft.Id}: automatic {view.Scorecard?.Score:0.##}, final {final:0.##}", Now, ct);
        return final;
    }

    private double FinalOf(CallView view, Func<string, string?> human) =>
        Scorer.Total(rubrics.Find(view.Scorecard!.RubricId, view.Scorecard.RubricVersion), view.Scorecard.MaxScore,
            view.Items.Select(i => new ItemOutcome(i.Category, Verdicts.Parse(human(i.Id) ?? i.Verdict), i.ItemDeduction, i.Fatal)));

    public async Task Comment(Viewer viewer, long callId, double? atSeconds, string body, CancellationToken ct = default)
    {
        var call = await details.Readable(viewer, callId, ct) ?? throw new ReviewRuleException($"no call {callId}", 404);
        if (!viewer.CanReview(call.Team) && !viewer.IsTrainer) throw new ReviewRuleException("only monitors and trainers comment on calls", 403);
        body = InputLimits.Text(body, "the comment is empty", "comment", "批注");
        if (atSeconds is { } at)
            InputLimits.CallTime(at, (await details.Load(viewer, callId, ct))?.DurationSeconds, "comment time", "批注时间");
        await reviews.AddComment(callId, viewer.Id, atSeconds, body, Now, ct);
    }

    // ---- the agent's side ----

    private async Task<CallView> MyCall(Viewer viewer, long callId, CancellationToken ct)
    {
        if (!viewer.IsAgent) throw new ReviewRuleException("only the agent of a call acknowledges or disputes it", 403);
        var view = await details.Load(viewer, callId, ct) ?? throw new ReviewRuleException($"no call {callId}", 404);
        if (view.Call.AgentId != viewer.AgentId) throw new ReviewRuleException($"no call {callId}", 404);
        return view;
    }

    /// <summary>The agent has read the review (or, without one, the automatic scorecard).</summary>
    public async Task Acknowledge(Viewer viewer, long callId, CancellationToken ct = default)
    {
        var view = await MyCall(viewer, callId, ct);
        if (view.LastSubmitted is not { } review) throw new ReviewRuleException("this call has no finished review to acknowledge");
        await reviews.Acknowledge(review.Id, Now, ct);
        await audit.Write(viewer.Login, "acknowledge", "call", callId.ToString(), $"review {review.Id}", Now, ct);
    }

    /// <summary>When the agent may still dispute: the dispute window (days, admin setting) counts from the review,
    /// or from the automatic scoring when nobody reviewed the call.</summary>
    public async Task<DateTime?> DisputeDeadline(CallView view, CancellationToken ct = default)
    {
        var from = view.LastSubmitted?.SubmittedAt ?? view.Scorecard?.CreatedAt;
        return from is null ? null : from.Value.AddDays(await settings.DisputeWindowDays(ct));
    }

    /// <summary>What an agent may claim a disputed item should be: it passed, or it did not apply to this call.</summary>
    public static readonly string[] DisputeClaims = ["pass", "na"];

    /// <summary>The item's verdict as it counts now: the last finished review's, else the automatic one.</summary>
    public static string CurrentVerdict(CallView view, MachineItem item) =>
        view.SubmittedVerdicts.TryGetValue(item.Id, out var v) ? v.HumanVerdict : item.Verdict;

    /// <summary>An agent disputes an item that cost points (a fail) or that nobody has decided yet (in review) — not
    /// one that passed or did not apply, where there is no deduction to withdraw.</summary>
    public static bool Disputable(CallView view, MachineItem item) => CurrentVerdict(view, item) is "fail" or "review";

    public async Task<long> Dispute(Viewer viewer, long callId, string itemId, string reason, CancellationToken ct = default, string? claim = null)
    {
        var view = await MyCall(viewer, callId, ct);
        reason = InputLimits.Text(reason, "say why you dispute this item", "dispute reason", "申诉理由");
        claim = InputLimits.OneOf(claim, DisputeClaims, "claimed verdict", "主张的判定") ?? "pass";
        if (view.Scorecard is null || view.Items.FirstOrDefault(i => i.Id == itemId) is not { } item) throw new ReviewRuleException($"no item {itemId} on this scorecard", 400);
        if (!Disputable(view, item))
            throw new ReviewRuleException("only an item that cost points or is still in review can be disputed", 400, "只能对扣分或待复核的评分项提出申诉");
        if (await DisputeDeadline(view, ct) is { } deadline && Now > deadline)
            throw new ReviewRuleException($"the dispute window closed on {deadline:yyyy-MM-dd HH:mm} UTC");
        if (view.Disputes.Any(d => d.ItemId == itemId && d.Status == "open")) throw new ReviewRuleException("this item is already disputed");
        var id = await disputes.Raise(callId, view.Scorecard.Id, view.LastSubmitted?.Id, viewer.Id, itemId, reason, claim, Now, ct);
        await audit.Write(viewer.Login, "dispute", "call", callId.ToString(), $"dispute {id} on {itemId} ({CurrentVerdict(view, item)}, claims {claim}): {reason}", Now, ct);
        return id;
    }

    /// <summary>A monitor upholds or rejects a dispute. Upholding withdraws the deduction: the item becomes what the
    /// agent claimed (pass, or n/a), never a new fail, and the final score is recomputed. The verdict and the final
    /// score before and after are stored on the dispute (the agent sees them on the call page) and audited.</summary>
    public async Task DecideDispute(Viewer viewer, long disputeId, bool uphold, string resolution, CancellationToken ct = default)
    {
        var dispute = await disputes.Get(disputeId, ct) ?? throw new ReviewRuleException($"no dispute {disputeId}", 404);
        await Reviewable(viewer, dispute.CallId, ct);
        if (dispute.Status != "open") throw new ReviewRuleException("this dispute is already decided");
        resolution = InputLimits.Text(resolution, "give the outcome a reason", "resolution", "处理意见");
        var view = await details.Load(viewer, dispute.CallId, ct) ?? throw new ReviewRuleException($"no call {dispute.CallId}", 404);
        var item = view.Items.First(i => i.Id == dispute.ItemId);
        var before = CurrentVerdict(view, item);
        var scoreBefore = view.LastSubmitted?.FinalScore ?? view.Scorecard?.Score;
        var after = before;
        var scoreAfter = scoreBefore;
        if (uphold)
        {
            // The deduction is withdrawn: the item becomes what the agent claimed (a dispute raised before claims
            // existed claims a pass). The automatic verdict stays on record beside it.
            after = dispute.ClaimedVerdict is "na" ? "na" : "pass";
            var verdicts = view.Items.ToDictionary(i => i.Id, i => view.SubmittedVerdicts.TryGetValue(i.Id, out var hv) ? hv.HumanVerdict : i.Verdict == "review" ? "pass" : i.Verdict);
            verdicts[item.Id] = after;
            var newFinal = FinalOf(view, id => verdicts[id]);
            scoreAfter = newFinal;
            var note = $"dispute {disputeId} upheld: {resolution}";
            if (view.LastSubmitted?.Id is { } reviewId)
                await disputes.UpholdOnReview(disputeId, reviewId, new ItemDecision(item.Id, item.Verdict, after, 0, note), newFinal, ct);
            else
                // Nobody reviewed the call: the decision becomes its human review, by the deciding monitor.
                await disputes.UpholdAsReview(disputeId, dispute.CallId, dispute.ScorecardId, viewer.Id, newFinal,
                    view.Items.Select(i => new ItemDecision(i.Id, i.Verdict, verdicts[i.Id], verdicts[i.Id] == "fail" && !i.Fatal ? i.ItemDeduction : 0,
                        i.Id == item.Id ? note : null)).ToList(), Now, ct);
        }
        await disputes.Resolve(disputeId, uphold ? "upheld" : "rejected", viewer.Id, resolution, new DisputeOutcome(before, after, scoreBefore, scoreAfter), Now, ct);
        await audit.Write(viewer.Login, uphold ? "dispute upheld" : "dispute rejected", "call", dispute.CallId.ToString(),
            $"dispute {disputeId} on {dispute.ItemId}: {before} -> {after}; final score {scoreBefore:0.##} -> {scoreAfter:0.##}: {resolution}", Now, ct);
    }
}
