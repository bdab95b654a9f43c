using QaPipeline.Web.Access;
using QaPipeline.Scoring;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Web.Reviews;

/// <summary>The claiming monitor submits the review: the human final score beside the automatic one.</summary>
public sealed class FinaliseReview(ReviewAccess access, ReviewRepository reviews, AuditLog audit)
{
    /// <summary>Finalises the review: items not touched keep the verdict in force — the previous version's when the
    /// review was reopened (its overrides and upheld disputes carry over), else the machine's — except items the
    /// machine left for review, which a person must decide. Stores the human final score and closes the flags.</summary>
    public async Task<double> Finalise(Viewer viewer, long callId, CancellationToken ct = default)
    {
        var (draft, view) = await access.MyDraft(viewer, callId, ct);
        var inForce = view.Items.ToDictionary(i => i.Id, i => view.SubmittedVerdicts.TryGetValue(i.Id, out var earlier) ? earlier : null);
        var undecided = view.Items.Where(i => i.Verdict == Verdict.Review && inForce[i.Id] is null && !view.DraftVerdicts.ContainsKey(i.Id)).Select(i => i.Id).ToList();
        if (undecided.Count > 0) throw new ReviewRuleException("error.decide_items_first", 400, string.Join(", ", undecided));
        var remaining = view.Items.Where(i => !view.DraftVerdicts.ContainsKey(i.Id))
            .Select(i => inForce[i.Id] is { } earlier
                ? new ItemDecision(i.Id, i.Verdict.Word(), earlier.HumanVerdict, Verdicts.Parse(earlier.HumanVerdict) == Verdict.Fail && !i.Fatal ? i.ItemDeduction : 0, earlier.Note)
                : new ItemDecision(i.Id, i.Verdict.Word(), i.Verdict.Word(), i.Verdict == Verdict.Fail && !i.Fatal ? i.ItemDeduction : 0)).ToList();
        var final = access.FinalScore(view, id => view.DraftVerdicts.TryGetValue(id, out var v) ? v.HumanVerdict : inForce[id]?.HumanVerdict);
        // One transaction: the confirmed verdicts, the final score and the closed flags land together or not at all.
        await reviews.Finalise(draft.Id, callId, remaining, final, access.Now, ct);
        await audit.Write(viewer.Login, "finalise", "call", callId.ToString(),
            $"review {draft.Id}: automatic {view.Scorecard?.Score:0.##}, final {final:0.##}", access.Now, ct);
        return final;
    }
}
