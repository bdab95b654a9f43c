using Microsoft.AspNetCore.Mvc;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed class QueueModel(ReviewQueue queue, CallReview review, RubricCatalog rubrics, QaPipeline.Pipeline.Storage.CallReasonRepository callReasons,
    CallList callList) : QaPageModel
{
    public QueueFilter Filter { get; private set; } = new();
    public IReadOnlyList<QueueRow> Rows { get; private set; } = [];
    public bool More { get; private set; }
    public QueueOrdering? Ordering { get; private set; }
    public IReadOnlyList<QaPipeline.Web.Calls.DisputeRow> Disputes { get; private set; } = [];
    public IReadOnlyList<string> Teams { get; private set; } = [];
    public IReadOnlyList<string> Queues { get; private set; } = [];
    public IReadOnlyList<RubricItem> Items { get; private set; } = [];
    public IReadOnlyList<(string Id, string Name)> CallReasons { get; private set; } = [];
    public IReadOnlyList<FlagTotal> FlagTotals { get; private set; } = [];

    /// <summary>"flagged" (the review queue) or "all" (every scored call the viewer may review).</summary>
    public string Tab { get; private set; } = "flagged";

    public async Task OnGetAsync(string? team, string? agent, string? queueName, DateTime? from, DateTime? to, string? item, string? reason, string? band, int page = 0, string? order = null,
        string? callReason = null, string? q = null, string? tab = null)
    {
        var ct = HttpContext.RequestAborted;
        Filter = new QueueFilter(team, agent, queueName, from.HasValue ? DateTime.SpecifyKind(from.Value, DateTimeKind.Utc) : null,
            to.HasValue ? DateTime.SpecifyKind(to.Value.AddDays(1), DateTimeKind.Utc) : null, item, reason, band, Math.Max(0, page), order, callReason, q);
        Tab = tab == "all" ? "all" : "flagged";
        if (Tab == "all")
            (Rows, More) = await callList.AllCalls(Viewer, Filter, ct);
        else
        {
            var result = await queue.Page(Viewer, Filter, ct);
            (Rows, More, Ordering) = (result.Rows, result.More, result.Ordering);
        }
        FlagTotals = await callList.FlagTotals(Viewer, ct);
        Disputes = await queue.OpenDisputes(Viewer, ct);
        (Teams, Queues) = await queue.FilterValues(Viewer, ct);
        Items = rubrics.Active?.Items ?? [];
        CallReasons = await callReasons.Known(ct);
    }

    public Task<IActionResult> OnPostClaimAsync(long callId) =>
        Act(() => review.Claim(Viewer, callId, HttpContext.RequestAborted), () => Error is null ? Redirect($"/calls/{callId}") : RedirectToPage());

    /// <summary>How long a flag has waited, in the largest whole unit.</summary>
    public static string Age(DateTime since, DateTime now)
    {
        var age = now - since;
        return age.TotalDays >= 1 ? $"{(int)age.TotalDays} d" : age.TotalHours >= 1 ? $"{(int)age.TotalHours} h" : $"{Math.Max(0, (int)age.TotalMinutes)} min";
    }

    public string TabUrl(string tab) =>
        "/queue?" + string.Join("&", Request.Query.Where(q => q.Key is not ("page" or "tab")).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"tab={tab}"));

    public string PageUrl(int page)
    {
        var query = Request.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={page}");
        return "/queue?" + string.Join("&", query);
    }
}
