using QaPipeline.Scoring.Scorecards;
using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;

namespace QaPipeline.Web.Reviews;

/// <summary>
/// What the review and dispute use cases check first, on the server for pages and API alike: who may review a call,
/// whose claim a draft is, whose call an agent's is; and a call's final score under human verdicts.
/// </summary>
public sealed class ReviewAccess(CallDetails details, ReviewRepository reviews, RubricCatalog rubrics, TimeProvider clock)
{
    public DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>The call, when the viewer may review it (admins, and the monitors of its team).</summary>
    public async Task<CallRecord> Reviewable(Viewer viewer, long callId, CancellationToken ct)
    {
        var call = await details.Readable(viewer, callId, ct) ?? throw new ReviewRuleException("error.no_call", 404, callId);
        if (!viewer.CanReview(call.Team)) throw new ReviewRuleException("error.only_monitor_call_s", 403);
        return call;
    }

    /// <summary>The viewer's own draft review of the call (they must hold the claim) and the call as they see it.</summary>
    public async Task<(ReviewRow Draft, CallView View)> MyDraft(Viewer viewer, long callId, CancellationToken ct)
    {
        await Reviewable(viewer, callId, ct);
        var draft = await reviews.Draft(callId, ct) ?? throw new ReviewRuleException("error.claim_the_call_first");
        if (draft.ReviewerId != viewer.Id) throw new ReviewRuleException("error.claimed_by", 403, draft.ReviewerName);
        var view = await details.Load(viewer, callId, ct) ?? throw new ReviewRuleException("error.no_call", 404, callId);
        return (draft, view);
    }

    /// <summary>The call, when the viewer is its agent (anyone else gets "no call", never a hint that it exists).</summary>
    public async Task<CallView> AgentsOwnCall(Viewer viewer, long callId, CancellationToken ct)
    {
        if (!viewer.IsAgent) throw new ReviewRuleException("error.only_agent_call_acknowledges", 403);
        var view = await details.Load(viewer, callId, ct) ?? throw new ReviewRuleException("error.no_call", 404, callId);
        if (view.Call.AgentId != viewer.AgentId) throw new ReviewRuleException("error.no_call", 404, callId);
        return view;
    }

    /// <summary>The call's final score with the core's rule (<see cref="Scorer.Total"/>) under human verdicts
    /// (<paramref name="human"/> null for an item: the machine's verdict stands).</summary>
    public double FinalScore(CallView view, Func<string, string?> human) =>
        Scorer.Total(rubrics.Find(view.Scorecard!.RubricId, view.Scorecard.RubricVersion), view.Scorecard.MaxScore,
            view.Items.Select(i => new ItemOutcome(i.Category, human(i.Id) is { } word ? Verdicts.Parse(word) : i.Verdict, i.ItemDeduction, i.Fatal)));
}
