using QaPipeline.Storage;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

/// <summary>
/// The queue page's other views: every scored call the viewer may review (not only flagged ones), newest first,
/// with the queue's filters and search; and the totals and age per open flag reason. The SQL is in
/// <see cref="ReviewQueueRepository"/> beside the flag walk.
/// </summary>
public sealed class CallList(ReviewQueueRepository queue)
{
    public async Task<(IReadOnlyList<QueueRow> Rows, bool More)> AllCalls(Viewer viewer, QueueFilter filter, CancellationToken ct = default)
    {
        var rows = await queue.AllCalls(ReviewQueue.Query(viewer, filter, ReviewQueue.PageSize + 1),
            Math.Max(0, filter.Page) * ReviewQueue.PageSize, ReviewQueue.PageSize + 1, ct);
        var more = rows.Count > ReviewQueue.PageSize;
        if (more) rows.RemoveAt(rows.Count - 1);
        if (rows.Count > 0)
        {
            var byId = rows.ToDictionary(r => r.CallId);
            var flags = await queue.OpenReasons(byId.Keys, ct);
            foreach (var (callId, reason) in flags.OrderBy(f => FlagReason.OrderOf(f.Reason)))
                byId[callId].Reasons.Add(reason);
        }
        return (rows, more);
    }

    /// <summary>Calls with an open flag of each reason among the calls the viewer may review, and the oldest flag's time.</summary>
    public Task<IReadOnlyList<FlagTotal>> FlagTotals(Viewer viewer, CancellationToken ct = default) =>
        queue.FlagTotals(viewer.ReviewScope, ct);
}
