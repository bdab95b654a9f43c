using Dapper;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

/// <summary>Open flags of one reason within the viewer's calls: how many calls carry it and since when the oldest waits.</summary>
public sealed class FlagTotal
{
    public string Reason { get; init; } = "";
    public long Calls { get; init; }
    public DateTime Oldest { get; init; }
}

/// <summary>
/// The queue page's other views: every scored call the viewer may review (not only flagged ones), newest first,
/// with the queue's filters and search; and the totals and age per open flag reason. Kept apart from
/// <see cref="ReviewQueue"/>'s flag walk so its SQL moves to the storage layer as one repository.
/// </summary>
public sealed class CallList(Database db)
{
    public async Task<(IReadOnlyList<QueueRow> Rows, bool More)> AllCalls(Viewer viewer, QueueFilter filter, CancellationToken ct = default)
    {
        var (predicate, viewerArgs) = ReviewQueue.ReviewPredicate(viewer, db.Engine);
        var args = new DynamicParameters(viewerArgs);
        var where = new List<string> { predicate };
        ReviewQueue.FilterSql(filter, args, where);
        args.Add("yes", true);
        args.Add("skip", Math.Max(0, filter.Page) * ReviewQueue.PageSize);
        args.Add("take", ReviewQueue.PageSize + 1);
        var page = db.Engine == DatabaseEngine.SqlServer ? "OFFSET @skip ROWS FETCH NEXT @take ROWS ONLY" : "LIMIT @take OFFSET @skip";
        // Newest first along ix_calls_started; the current scorecard and the agent's name are one row each.
        var rows = (await db.Run(c => c.QueryAsync<QueueRow>($"""
            SELECT c.id AS call_id, c.external_call_id, c.agent_id, au.display_name AS agent_name, c.team, c.queue, c.started_at,
                   s.score, s.max_score, s.fatal, u.display_name AS claimed_by, r.reviewer_id AS claimed_by_id
            FROM calls c
            JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            LEFT JOIN reviews r ON r.call_id = c.id AND r.status = 'draft'
            LEFT JOIN users u ON u.id = r.reviewer_id
            LEFT JOIN users au ON au.agent_id = c.agent_id
            WHERE {string.Join(" AND ", where)}
            ORDER BY c.started_at DESC, c.id DESC
            {page}
            """, args), ct)).AsList();
        var more = rows.Count > ReviewQueue.PageSize;
        if (more) rows.RemoveAt(rows.Count - 1);
        if (rows.Count > 0)
        {
            var ids = rows.Select(r => r.CallId).ToArray();
            var flags = await db.Run(c => c.QueryAsync<(long CallId, string Reason)>(
                $"SELECT call_id, reason FROM review_flags WHERE {Viewer.InList(db.Engine, "call_id", "ids")} AND status <> 'closed'", new { ids }), ct);
            var byId = rows.ToDictionary(r => r.CallId);
            foreach (var (callId, reason) in flags.OrderBy(f => Array.IndexOf(ReviewQueue.ReasonOrder, f.Reason)))
                byId[callId].Reasons.Add(reason);
        }
        return (rows, more);
    }

    /// <summary>Calls with an open flag of each reason among the viewer's calls, and the oldest flag's time.</summary>
    public async Task<IReadOnlyList<FlagTotal>> FlagTotals(Viewer viewer, CancellationToken ct = default)
    {
        var (predicate, viewerArgs) = ReviewQueue.ReviewPredicate(viewer, db.Engine);
        var args = new DynamicParameters(viewerArgs);
        args.Add("yes", true);
        var totals = await db.Run(c => c.QueryAsync<FlagTotal>($"""
            SELECT f.reason, COUNT(DISTINCT f.call_id) AS calls, MIN(f.created_at) AS oldest
            FROM review_flags f
            JOIN calls c ON c.id = f.call_id
            JOIN scorecards s ON s.id = f.scorecard_id AND s.is_current = @yes
            WHERE f.status <> 'closed' AND {predicate}
            GROUP BY f.reason
            """, args), ct);
        return totals.OrderBy(t => Array.IndexOf(ReviewQueue.ReasonOrder, t.Reason)).ToList();
    }
}
