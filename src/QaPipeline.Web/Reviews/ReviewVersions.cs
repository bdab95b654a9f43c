using QaPipeline.Web.Calls;

namespace QaPipeline.Web.Reviews;

/// <summary>One item whose verdict a review version changed: from the previous version's verdict (the automatic one
/// for the first version) to this version's, with the reviewer's note.</summary>
public sealed record VerdictChange(string ItemId, string From, string To, string? Note);

/// <summary>
/// One finalised review of a call. Version 1 is the first review; each reopen (who, when, why — recorded on the
/// version it reopened) lets a later review become the next version. Upheld disputes decided while a version was in
/// force changed that version in place and are listed with it.
/// </summary>
public sealed record ReviewVersion(
    int Version,
    long ReviewId,
    string ReviewerName,
    DateTime StartedAt,
    DateTime? SubmittedAt,
    double? ScoreBefore,
    double? FinalScore,
    IReadOnlyList<VerdictChange> Changes,
    IReadOnlyList<DisputeRow> UpheldDisputes,
    DateTime? AcknowledgedAt,
    DateTime? ReopenedAt,
    string? ReopenedByName,
    string? ReopenReason)
{
    /// <summary>A finalised version nobody reopened: the call is closed to new claims.</summary>
    public bool Closed => ReopenedAt is null;

    /// <summary>The version an upheld dispute recorded on a call nobody had reviewed: open from the start (reopened at
    /// once with no reason, which a person's reopen always has), so the call still gets its full review.</summary>
    public bool DisputeDecisionOnly => ReopenedAt is not null && ReopenReason is null;
}

public static class ReviewVersions
{
    /// <summary>The call's finalised reviews as versions, oldest first. <paramref name="automaticScore"/> is what the
    /// first version started from; <paramref name="mask"/> hides personal numbers in notes and reasons for roles that
    /// see masked transcripts.</summary>
    public static IReadOnlyList<ReviewVersion> Of(IReadOnlyList<ReviewRow> reviews, IReadOnlyList<HumanVerdictRow> verdicts,
        IReadOnlyList<DisputeRow> disputes, double? automaticScore, bool mask)
    {
        string? Shown(string? text) => text is null || !mask ? text : PersonalDataMask.Mask(text);
        var submitted = reviews.Where(r => r.Status == "submitted").OrderBy(r => r.Id).ToList();
        var history = new List<ReviewVersion>();
        Dictionary<string, string> previous = [];
        var scoreBefore = automaticScore;
        for (var k = 0; k < submitted.Count; k++)
        {
            var r = submitted[k];
            var mine = verdicts.Where(v => v.ReviewId == r.Id).OrderBy(v => v.ItemId, StringComparer.Ordinal).ToList();
            var changes = mine
                .Select(v => new VerdictChange(v.ItemId, previous.GetValueOrDefault(v.ItemId, v.MachineVerdict), v.HumanVerdict, Shown(v.Note)))
                .Where(c => c.From != c.To)
                .ToList();
            var until = k + 1 < submitted.Count ? submitted[k + 1].SubmittedAt : null;
            var upheld = disputes.Where(d => d.Status == "upheld" && d.ResolvedAt is { } at && at >= (r.SubmittedAt ?? DateTime.MinValue)
                                             && (until is null || at < until))
                .Select(d => new DisputeRow
                {
                    Id = d.Id, CallId = d.CallId, ScorecardId = d.ScorecardId, ReviewId = d.ReviewId, RaisedByName = d.RaisedByName, ItemId = d.ItemId,
                    Reason = Shown(d.Reason)!, Status = d.Status, ResolvedByName = d.ResolvedByName, Resolution = Shown(d.Resolution), CreatedAt = d.CreatedAt,
                    ResolvedAt = d.ResolvedAt, ClaimedVerdict = d.ClaimedVerdict, VerdictBefore = d.VerdictBefore, VerdictAfter = d.VerdictAfter,
                    ScoreBefore = d.ScoreBefore, ScoreAfter = d.ScoreAfter,
                })
                .ToList();
            history.Add(new ReviewVersion(k + 1, r.Id, r.ReviewerName, r.StartedAt, r.SubmittedAt, scoreBefore, r.FinalScore, changes, upheld,
                r.AcknowledgedAt, r.ReopenedAt, r.ReopenedByName, Shown(r.ReopenReason)));
            previous = mine.ToDictionary(v => v.ItemId, v => v.HumanVerdict);
            scoreBefore = r.FinalScore;
        }
        return history;
    }
}
