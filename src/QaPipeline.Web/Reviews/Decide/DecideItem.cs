using QaPipeline.Web.Access;
using QaPipeline.Scoring;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Web.Reviews;

/// <summary>The claiming monitor confirms or overrides one automatic verdict.</summary>
public sealed class DecideItem(ReviewAccess access, ReviewRepository reviews, AuditLog audit)
{
    /// <summary>Confirms (same verdict) or overrides (different verdict, reason required, audited) one automatic verdict.</summary>
    public async Task Decide(Viewer viewer, long callId, string itemId, string verdict, string? reason, CancellationToken ct = default)
    {
        if (!Verdicts.IsHuman(verdict)) throw new ReviewRuleException("error.verdict_must_pass_fail", 400);
        var decided = Verdicts.Parse(verdict);
        var (draft, view) = await access.MyDraft(viewer, callId, ct);
        var item = view.Items.FirstOrDefault(i => i.Id == itemId) ?? throw new ReviewRuleException("error.no_item_scorecard", 400, itemId);
        // Deciding an item the machine left for review is not an override of anything; changing a pass/fail/n.a. is.
        var overrides = item.Verdict != Verdict.Review && item.Verdict != decided;
        reason = InputLimits.OptionalText(reason, "field.reason");
        if (overrides && reason is null) throw new ReviewRuleException("error.override_needs_reason", 400);
        var deduction = decided == Verdict.Fail && !item.Fatal ? item.ItemDeduction : 0;
        await reviews.Decide(draft.Id, new ItemDecision(itemId, item.Verdict.Word(), decided.Word(), deduction, reason), ct);
        if (overrides)
            await audit.Write(viewer.Login, "override", "call", callId.ToString(),
                $"{itemId}: {item.Verdict.Word()} -> {decided.Word()}: {reason}", access.Now, ct);
    }
}
