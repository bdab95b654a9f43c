using Microsoft.AspNetCore.Mvc;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Web.Calls;
using QaPipeline.Storage;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed class QueueModel(ReviewQueue queue, ClaimReview review, RubricCatalog rubrics, CallReasonRepository callReasons,
    CallList callList, TimeProvider clock) : QaPageModel
{
    public QueueFilter Filter { get; private set; } = new();
    public IReadOnlyList<QueueRow> Rows { get; private set; } = [];
    public bool More { get; private set; }
    public QueueOrdering? Ordering { get; private set; }
    public IReadOnlyList<DisputeRow> Disputes { get; private set; } = [];
    public long DisputeCount { get; private set; }

    /// <summary>Disputes listed on the page, and how much of each reason: the page stays light however many wait.</summary>
    public const int DisputesShown = 50, ReasonPreview = 120;

    public static string Preview(string text) => text.Length <= ReasonPreview ? text : text[..ReasonPreview] + "…";
    public IReadOnlyList<string> Teams { get; private set; } = [];
    public IReadOnlyList<string> Queues { get; private set; } = [];
    public IReadOnlyList<RubricItem> Items { get; private set; } = [];
    public IReadOnlyList<(string Id, string Name)> CallReasons { get; private set; } = [];
    public IReadOnlyList<FlagTotal> FlagTotals { get; private set; } = [];

    /// <summary>"flagged" (the review queue) or "all" (every scored call the viewer may review).</summary>
    public string Tab { get; private set; } = "flagged";

    /// <summary>The request's time, for the flags' ages.</summary>
    public DateTime Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? team, string? agent, string? queueName, DateTime? from, DateTime? to, string? item, string? reason, string? band, [FromQuery] int page = 0, string? order = null,
        string? callReason = null, string? q = null, string? tab = null)
    {
        var ct = HttpContext.RequestAborted;
        if (!ModelState.IsValid) return Refuse(new ReviewRuleException("error.queue_filter_invalid", 400, string.Join(", ", ModelState.Where(m => m.Value?.Errors.Count > 0).Select(m => m.Key))));
        try
        {
            Filter = QueueFilter.Checked(team, agent, queueName, from, to, item, reason, band, page, order, toIsInclusiveDay: true) with
            {
                CallReason = InputLimits.OptionalName(callReason, "field.call_reason"),
                Search = InputLimits.OptionalName(q, "field.search"),
            };
        }
        catch (ReviewRuleException e) { return Refuse(e); }
        Now = clock.GetUtcNow().UtcDateTime;
        Tab = tab == "all" ? "all" : "flagged";
        if (Tab == "all")
            (Rows, More) = await callList.AllCalls(Viewer, Filter, ct);
        else
        {
            var result = await queue.Page(Viewer, Filter, ct);
            (Rows, More, Ordering) = (result.Rows, result.More, result.Ordering);
        }
        FlagTotals = await callList.FlagTotals(Viewer, ct);
        Disputes = await queue.OpenDisputes(Viewer, ct, DisputesShown);
        DisputeCount = Disputes.Count < DisputesShown ? Disputes.Count : await queue.OpenDisputeCount(Viewer, ct);
        (Teams, Queues) = await queue.FilterValues(Viewer, ct);
        Items = rubrics.Active?.Items ?? [];
        CallReasons = await callReasons.Known(ct);
        return Page();
    }

    public Task<IActionResult> OnPostClaimAsync(long callId) =>
        Act(() => review.Claim(Viewer, callId, HttpContext.RequestAborted), () => Error is null ? Redirect($"/calls/{callId}") : RedirectToPage());

    /// <summary>How long a flag has waited, in the largest whole unit.</summary>
    public static string Age(DateTime since, DateTime now, Ui ui)
    {
        var age = now - since;
        return age.TotalDays >= 1 ? ui.T("queue.age.days", (int)age.TotalDays)
            : age.TotalHours >= 1 ? ui.T("queue.age.hours", (int)age.TotalHours)
            : ui.T("queue.age.minutes", Math.Max(0, (int)age.TotalMinutes));
    }

    public string TabUrl(string tab) =>
        "/queue?" + string.Join("&", Request.Query.Where(q => q.Key is not ("page" or "tab")).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"tab={tab}"));

    public string PageUrl(int page)
    {
        var query = Request.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={page}");
        return "/queue?" + string.Join("&", query);
    }
}
