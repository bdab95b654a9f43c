using QaPipeline.Web.Access;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Reviews;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Web.Disputes;

/// <summary>The agent disputes one item of their call, within the dispute window.</summary>
public sealed class RaiseDispute(ReviewAccess access, DisputeRepository disputes, WebSettings settings, AuditLog audit)
{
    /// <summary>When the agent may still dispute: the dispute window (days, admin setting) counts from the review,
    /// or from the automatic scoring when nobody reviewed the call.</summary>
    public async Task<DateTime?> Deadline(CallView view, CancellationToken ct = default)
    {
        var from = view.LastSubmitted?.SubmittedAt ?? view.Scorecard?.CreatedAt;
        return from is null ? null : from.Value.AddDays(await settings.DisputeWindowDays(ct));
    }

    /// <summary>What an agent may claim a disputed item should be: it passed, or it did not apply to this call.</summary>
    public static readonly string[] DisputeClaims = ["pass", "na"];

    /// <summary>The item's verdict as it counts now: the last finished review's, else the automatic one.</summary>
    public static Verdict CurrentVerdict(CallView view, MachineItem item) =>
        view.SubmittedVerdicts.TryGetValue(item.Id, out var v) ? Verdicts.Parse(v.HumanVerdict) : item.Verdict;

    /// <summary>An agent disputes an item that cost points (a fail) or that nobody has decided yet (in review) — not
    /// one that passed or did not apply, where there is no deduction to withdraw.</summary>
    public static bool Disputable(CallView view, MachineItem item) => CurrentVerdict(view, item) is Verdict.Fail or Verdict.Review;

    public async Task<long> Raise(Viewer viewer, long callId, string itemId, string reason, CancellationToken ct = default, string? claim = null)
    {
        var view = await access.AgentsOwnCall(viewer, callId, ct);
        reason = InputLimits.Text(reason, "error.dispute_reason_empty", "field.dispute_reason");
        claim = InputLimits.OneOf(claim, DisputeClaims, "field.claimed_verdict") ?? "pass";
        if (view.Scorecard is null || view.Items.FirstOrDefault(i => i.Id == itemId) is not { } item) throw new ReviewRuleException("error.no_item_scorecard", 400, itemId);
        if (!Disputable(view, item))
            throw new ReviewRuleException("error.only_item_that_cost", 400);
        if (await Deadline(view, ct) is { } deadline && access.Now > deadline)
            throw new ReviewRuleException("error.dispute_window_closed_utc", 409, deadline);
        if (view.Disputes.Any(d => d.ItemId == itemId && d.Status == "open")) throw new ReviewRuleException("error.item_already_disputed");
        var id = await disputes.Raise(callId, view.Scorecard.Id, view.LastSubmitted?.Id, viewer.Id, itemId, reason, claim, access.Now, ct);
        await audit.Write(viewer.Login, "dispute", "call", callId.ToString(), $"dispute {id} on {itemId} ({CurrentVerdict(view, item)}, claims {claim}): {reason}", access.Now, ct);
        return id;
    }
}
