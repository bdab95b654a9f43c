using Microsoft.AspNetCore.Mvc;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Web.Calls;
using QaPipeline.Web.Reviews;

namespace QaPipeline.Web.Pages;

public sealed class QueueModel(ReviewQueue queue, CallReview review, RubricCatalog rubrics) : QaPageModel
{
    public QueueFilter Filter { get; private set; } = new();
    public IReadOnlyList<QueueRow> Rows { get; private set; } = [];
    public bool More { get; private set; }
    public QueueOrdering? Ordering { get; private set; }
    public IReadOnlyList<DisputeRow> Disputes { get; private set; } = [];
    public IReadOnlyList<string> Teams { get; private set; } = [];
    public IReadOnlyList<string> Queues { get; private set; } = [];
    public IReadOnlyList<RubricItem> Items { get; private set; } = [];

    public async Task OnGetAsync(string? team, string? agent, string? queueName, DateTime? from, DateTime? to, string? item, string? reason, string? band, int page = 0, string? order = null)
    {
        var ct = HttpContext.RequestAborted;
        Filter = new QueueFilter(team, agent, queueName, from.HasValue ? DateTime.SpecifyKind(from.Value, DateTimeKind.Utc) : null,
            to.HasValue ? DateTime.SpecifyKind(to.Value.AddDays(1), DateTimeKind.Utc) : null, item, reason, band, Math.Max(0, page), order);
        var result = await queue.Page(Viewer, Filter, ct);
        (Rows, More, Ordering) = (result.Rows, result.More, result.Ordering);
        Disputes = await queue.OpenDisputes(Viewer, ct);
        (Teams, Queues) = await queue.FilterValues(Viewer, ct);
        Items = rubrics.Active?.Items ?? [];
    }

    public Task<IActionResult> OnPostClaimAsync(long callId) =>
        Act(() => review.Claim(Viewer, callId, HttpContext.RequestAborted), () => Error is null ? Redirect($"/calls/{callId}") : RedirectToPage());

    public string PageUrl(int page)
    {
        var query = Request.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={page}");
        return "/queue?" + string.Join("&", query);
    }
}
