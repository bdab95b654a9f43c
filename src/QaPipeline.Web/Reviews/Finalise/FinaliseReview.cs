using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

/// <summary>The claiming monitor submits the review: the human final score beside the automatic one.</summary>
public sealed class FinaliseReview(ReviewAccess access, ReviewRepository reviews, AuditLog audit)
{
    /// <summary>Finalises the review: items not touched are confirmed as the machine decided them, except items the
    /// machine left for review, which a person must decide. Stores the human final score and closes the flags.</summary>
    public async Task<double> Finalise(Viewer viewer, long callId, CancellationToken ct = default)
    {
        var (draft, view) = await access.MyDraft(viewer, callId, ct);
        var undecided = view.Items.Where(i => i.Verdict == "review" && !view.DraftVerdicts.ContainsKey(i.Id)).Select(i => i.Id).ToList();
        if (undecided.Count > 0) throw new ReviewRuleException("decide these items first: " + string.Join(", ", undecided), 400);
        var remaining = view.Items.Where(i => !view.DraftVerdicts.ContainsKey(i.Id))
            .Select(i => new ItemDecision(i.Id, i.Verdict, i.Verdict, i.Verdict == "fail" && !i.Fatal ? i.ItemDeduction : 0)).ToList();
        var final = access.FinalScore(view, id => view.DraftVerdicts.TryGetValue(id, out var v) ? v.HumanVerdict : null);
        // One transaction: the confirmed verdicts, the final score and the closed flags land together or not at all.
        await reviews.Finalise(draft.Id, callId, remaining, final, access.Now, ct);
        await audit.Write(viewer.Login, "finalise", "call", callId.ToString(),
            $"review {draft.Id}: automatic {view.Scorecard?.Score:0.##}, final {final:0.##}", access.Now, ct);
        return final;
    }
}
