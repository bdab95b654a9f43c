using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Library;
using QaPipeline.Web.Disputes;
using QaPipeline.Web.Reviews;
using QaPipeline.Scoring.Scorecards;

namespace QaPipeline.Web.Pages;

public sealed class CallModel(CallDetails details, ClaimReview claims, DecideItem decisions, FinaliseReview finalising, CallComments comments,
    AcknowledgeReview acknowledging, ReopenReview reopening, RaiseDispute disputing, DecideDispute disputeDecisions, CoachingLibrary library, TimeProvider clock,
    ReviewAccess access, ReviewQueue queue, WebSettings settings) : QaPageModel
{
    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    public CallView? View { get; private set; }
    public bool CanReview { get; private set; }
    public bool CanDispute { get; private set; }
    public bool CanBookmark { get; private set; }
    public DateTime? DisputeDeadline { get; private set; }
    public IReadOnlyList<PlaylistRow> Playlists { get; private set; } = [];

    /// <summary>The centre's time zone: every time on the page is shown in it.</summary>
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    /// <summary>Set after finalising: the call the monitor's queue offers next (null when the queue has none).</summary>
    [BindProperty(SupportsGet = true)] public bool Finalised { get; set; }
    public QaPipeline.Storage.QueueRow? Next { get; private set; }

    /// <summary>Set when Release was asked for while draft verdicts exist: the page asks before discarding them.</summary>
    [BindProperty(SupportsGet = true)] public string? Release { get; set; }

    /// <summary>What Finalise will record, for the claiming monitor: the items they decided, the automatic verdicts
    /// it accepts as they are, the items that still need a person, and the final score that results.</summary>
    public FinalisePlan? Plan { get; private set; }

    public string Local(DateTime? utc) => WebSettings.Local(utc, Zone);

    public async Task<IActionResult> OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        View = await details.Load(Viewer, Id, ct);
        if (View is null) return NotFound();
        CanReview = Viewer.CanReview(View.Call.Team);
        DisputeDeadline = await disputing.Deadline(View, ct);
        CanDispute = Viewer.IsAgent && View.Call.AgentId == Viewer.AgentId && View.Scorecard is not null
                     && (DisputeDeadline is null || clock.GetUtcNow().UtcDateTime <= DisputeDeadline);
        CanBookmark = Viewer.IsTrainer || Viewer.IsAdmin || Viewer.IsMonitor;
        if (CanBookmark) Playlists = await library.Playlists(Viewer, null, ct);
        Zone = await settings.CentreTimeZone(ct);
        if (View.Draft is { } draft && draft.ReviewerId == Viewer.Id && !View.Blind) Plan = FinalisePlan.Of(View, access);
        if (Finalised && CanReview && View.Draft is null) Next = await queue.NextFor(Viewer, Id, ct);
        return Page();
    }

    private IActionResult Back(string? anchor = null) => Redirect($"/calls/{Id}{anchor}");
    private CancellationToken Ct => HttpContext.RequestAborted;

    public Task<IActionResult> OnPostClaimAsync() => Act(() => claims.Claim(Viewer, Id, Ct), () => Back());
    /// <summary>Release gives the claim back and discards the draft verdicts: with verdicts in the draft the page
    /// asks first (<paramref name="discard"/> is the answer).</summary>
    public async Task<IActionResult> OnPostReleaseAsync(bool discard)
    {
        if (!discard && await details.Load(Viewer, Id, Ct) is { Draft: { } draft } view && draft.ReviewerId == Viewer.Id && view.DraftVerdicts.Count > 0)
            return Redirect($"/calls/{Id}?release=confirm#release-confirm");
        return await Act(() => claims.Release(Viewer, Id, Ct), () => Back());
    }

    public Task<IActionResult> OnPostReopenAsync(string? reason) =>
        Act(async () => { var version = await reopening.Reopen(Viewer, Id, reason, Ct); Notice = T("call.review_version_reopened", version); },
            () => Back("#review-history"));

    public Task<IActionResult> OnPostVerdictAsync(string item, string verdict, string? reason) =>
        Act(() => decisions.Decide(Viewer, Id, item, verdict, reason, Ct), () => Back($"#item-{item}"));

    public Task<IActionResult> OnPostFinaliseAsync() =>
        Act(async () => { var final = await finalising.Finalise(Viewer, Id, Ct); Notice = T("call.notice.final_score", final); }, () => Redirect($"/calls/{Id}?finalised=true"));

    public Task<IActionResult> OnPostCommentAsync(string? at, string body) =>
        Act(() => comments.Comment(Viewer, Id, string.IsNullOrWhiteSpace(at) ? null
            : ParseSeconds(at) ?? throw new ReviewRuleException("error.time_must_number_seconds", 400) { Limit = true }, body, Ct), () => Back());

    public Task<IActionResult> OnPostAcknowledgeAsync() => Act(() => acknowledging.Acknowledge(Viewer, Id, Ct), () => Back());

    public Task<IActionResult> OnPostDisputeAsync(string item, string reason, string? claim) =>
        Act(async () => { await disputing.Raise(Viewer, Id, item, reason, Ct, claim); Notice = T("call.notice.dispute_sent"); }, () => Back("#disputes"));

    public Task<IActionResult> OnPostDecideDisputeAsync(long disputeId, bool uphold, string resolution) =>
        Act(() => disputeDecisions.Decide(Viewer, disputeId, uphold, resolution, Ct), () => Back("#disputes"));

    public Task<IActionResult> OnPostBookmarkAsync(long playlistId, string start, string end, string example, string? note) =>
        Act(async () =>
        {
            var s = ParseSeconds(start) ?? throw new ReviewRuleException("error.start_must_number_seconds", 400) { Limit = true };
            var e = ParseSeconds(end) ?? throw new ReviewRuleException("error.end_must_number_seconds", 400) { Limit = true };
            await library.AddClip(Viewer, playlistId, Id, s, e, example, note, details, Ct);
            Notice = T("call.notice.clip_bookmarked");
        }, () => Back("#bookmark"));

    private static double? ParseSeconds(string? s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
}

/// <summary>What Finalise records: the monitor's own verdicts, the automatic verdicts accepted as they are (one action
/// instead of a Confirm per item), the items the machine left for a person, and the resulting final score.</summary>
public sealed record FinalisePlan(IReadOnlyList<string> Decided, IReadOnlyList<string> Accepted, IReadOnlyList<string> Undecided, double? FinalScore)
{
    public static FinalisePlan Of(CallView view, ReviewAccess access)
    {
        var decided = view.Items.Where(i => view.DraftVerdicts.ContainsKey(i.Id)).Select(i => i.Id).ToList();
        var undecided = view.Items.Where(i => i.Verdict == Verdict.Review && !view.DraftVerdicts.ContainsKey(i.Id)).Select(i => i.Id).ToList();
        var accepted = view.Items.Where(i => i.Verdict != Verdict.Review && !view.DraftVerdicts.ContainsKey(i.Id)).Select(i => i.Id).ToList();
        double? final = undecided.Count == 0 && view.Scorecard is not null
            ? access.FinalScore(view, id => view.DraftVerdicts.TryGetValue(id, out var v) ? v.HumanVerdict : null)
            : null;
        return new FinalisePlan(decided, accepted, undecided, final);
    }
}
