using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Library;
using QaPipeline.Web.Disputes;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed class CallModel(CallDetails details, ClaimReview claims, DecideItem decisions, FinaliseReview finalising, CallComments comments,
    AcknowledgeReview acknowledging, ReopenReview reopening, RaiseDispute disputing, DecideDispute disputeDecisions, CoachingLibrary library, TimeProvider clock) : QaPageModel
{
    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    public CallView? View { get; private set; }
    public bool CanReview { get; private set; }
    public bool CanDispute { get; private set; }
    public bool CanBookmark { get; private set; }
    public DateTime? DisputeDeadline { get; private set; }
    public IReadOnlyList<PlaylistRow> Playlists { get; private set; } = [];

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
        return Page();
    }

    private IActionResult Back(string? anchor = null) => Redirect($"/calls/{Id}{anchor}");
    private CancellationToken Ct => HttpContext.RequestAborted;

    public Task<IActionResult> OnPostClaimAsync() => Act(() => claims.Claim(Viewer, Id, Ct), () => Back());
    public Task<IActionResult> OnPostReleaseAsync() => Act(() => claims.Release(Viewer, Id, Ct), () => Back());

    public Task<IActionResult> OnPostReopenAsync(string? reason) =>
        Act(async () => { var version = await reopening.Reopen(Viewer, Id, reason, Ct); Notice = S($"review version {version} reopened", $"第 {version} 版终审已重开"); },
            () => Back("#review-history"));

    public Task<IActionResult> OnPostVerdictAsync(string item, string verdict, string? reason) =>
        Act(() => decisions.Decide(Viewer, Id, item, verdict, reason, Ct), () => Back($"#item-{item}"));

    public Task<IActionResult> OnPostFinaliseAsync() =>
        Act(async () => { var final = await finalising.Finalise(Viewer, Id, Ct); Notice = $"final score {final:0.##}"; }, () => Back());

    public Task<IActionResult> OnPostCommentAsync(string? at, string body) =>
        Act(() => comments.Comment(Viewer, Id, string.IsNullOrWhiteSpace(at) ? null
            : ParseSeconds(at) ?? throw new ReviewRuleException("the time must be a number of seconds", 400, "时间须为秒数") { Limit = true }, body, Ct), () => Back());

    public Task<IActionResult> OnPostAcknowledgeAsync() => Act(() => acknowledging.Acknowledge(Viewer, Id, Ct), () => Back());

    public Task<IActionResult> OnPostDisputeAsync(string item, string reason, string? claim) =>
        Act(async () => { await disputing.Raise(Viewer, Id, item, reason, Ct, claim); Notice = "dispute sent"; }, () => Back("#disputes"));

    public Task<IActionResult> OnPostDecideDisputeAsync(long disputeId, bool uphold, string resolution) =>
        Act(() => disputeDecisions.Decide(Viewer, disputeId, uphold, resolution, Ct), () => Back("#disputes"));

    public Task<IActionResult> OnPostBookmarkAsync(long playlistId, string start, string end, string example, string? note) =>
        Act(async () =>
        {
            var s = ParseSeconds(start) ?? throw new ReviewRuleException("start must be a number of seconds", 400) { Limit = true };
            var e = ParseSeconds(end) ?? throw new ReviewRuleException("end must be a number of seconds", 400) { Limit = true };
            await library.AddClip(Viewer, playlistId, Id, s, e, example, note, details, Ct);
            Notice = "clip bookmarked";
        }, () => Back("#bookmark"));

    private static double? ParseSeconds(string? s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
}
