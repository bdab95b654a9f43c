using Dapper;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

/// <summary>Filters of the review queue; empty means "any". Score bands are percent of the maximum.</summary>
public sealed record QueueFilter(string? Team = null, string? Agent = null, string? Queue = null, DateTime? From = null, DateTime? To = null,
    string? Item = null, string? Reason = null, string? Band = null, int Page = 0)
{
    public static readonly string[] Bands = ["0-60", "60-80", "80-90", "90-100"];
}

public sealed class QueueRow
{
    public long CallId { get; init; }
    public string? ExternalCallId { get; init; }
    public string? AgentId { get; init; }
    public string? Team { get; init; }
    public string? Queue { get; init; }
    public DateTime? StartedAt { get; init; }
    public double Score { get; init; }
    public double MaxScore { get; init; }
    public bool Fatal { get; init; }
    public int Priority { get; init; }
    public DateTime FlaggedAt { get; init; }
    public string? ClaimedBy { get; init; }
    public long? ClaimedById { get; init; }
    public List<string> Reasons { get; } = [];
}

/// <summary>
/// The monitors' work list (质检队列): calls with open review flags, the most serious first (fatal, then items the
/// machine could not decide, low ASR confidence, low score, random sample), oldest first within a kind.
/// Only calls the viewer may review appear; a claimed call shows who holds it.
/// </summary>
public sealed class ReviewQueue(Database db)
{
    public const int PageSize = 50;

    /// <summary>Flag reasons in the order they are worked.</summary>
    public static readonly string[] ReasonOrder = ["fatal", "review_item", "low_asr_confidence", "low_score", "random_sample"];

    private const string PrioritySql =
        "MIN(CASE reason WHEN 'fatal' THEN 0 WHEN 'review_item' THEN 1 WHEN 'low_asr_confidence' THEN 2 WHEN 'low_score' THEN 3 ELSE 4 END)";

    public async Task<(IReadOnlyList<QueueRow> Rows, bool More)> Page(Viewer viewer, QueueFilter filter, CancellationToken ct = default)
    {
        var (predicate, viewerArgs) = ReviewPredicate(viewer, db.Engine);
        var args = new DynamicParameters(viewerArgs);
        var where = new List<string> { predicate };
        void Add(string sql, string name, object? value) { if (value is null or "") return; where.Add(sql); args.Add(name, value); }
        Add("c.team = @team", "team", filter.Team);
        Add("c.agent_id = @agent", "agent", filter.Agent);
        Add("c.queue = @queue", "queue", filter.Queue);
        Add("c.started_at >= @from", "from", filter.From);
        Add("c.started_at < @to", "to", filter.To);
        Add("EXISTS (SELECT 1 FROM review_flags f2 WHERE f2.call_id = c.id AND f2.reason = @reason AND f2.status <> 'closed')", "reason", filter.Reason);
        Add("EXISTS (SELECT 1 FROM scorecard_items i WHERE i.scorecard_id = s.id AND i.item_id = @item AND i.verdict IN ('fail', 'review'))", "item", filter.Item);
        if (filter.Band is { } band && Array.IndexOf(QueueFilter.Bands, band) >= 0)
        {
            var parts = band.Split('-');
            where.Add("s.score * 100 >= @bandLow * s.max_score AND (s.score * 100 < @bandHigh * s.max_score OR @bandHigh = 100)");
            args.Add("bandLow", double.Parse(parts[0]));
            args.Add("bandHigh", double.Parse(parts[1]));
        }
        args.Add("yes", true);
        args.Add("limit", PageSize + 1);
        args.Add("offset", Math.Max(0, filter.Page) * PageSize);
        var paging = db.Engine == DatabaseEngine.SqlServer ? "OFFSET @offset ROWS FETCH NEXT @limit ROWS ONLY" : "LIMIT @limit OFFSET @offset";
        var sql = $"""
            SELECT c.id AS call_id, c.external_call_id, c.agent_id, c.team, c.queue, c.started_at, s.score, s.max_score, s.fatal,
                   q.priority, q.flagged_at, u.display_name AS claimed_by, r.reviewer_id AS claimed_by_id
            FROM (SELECT call_id, {PrioritySql} AS priority, MIN(created_at) AS flagged_at
                  FROM review_flags WHERE status IN ('open', 'in_review') GROUP BY call_id) q
            JOIN calls c ON c.id = q.call_id
            JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            LEFT JOIN reviews r ON r.call_id = c.id AND r.status = 'draft'
            LEFT JOIN users u ON u.id = r.reviewer_id
            WHERE {string.Join(" AND ", where)}
            ORDER BY q.priority, q.flagged_at, c.id
            {paging}
            """;
        var rows = (await db.Run(c => c.QueryAsync<QueueRow>(sql, args), ct)).AsList();
        var more = rows.Count > PageSize;
        if (more) rows.RemoveAt(rows.Count - 1);
        if (rows.Count > 0)
        {
            var ids = rows.Select(r => r.CallId).ToArray();
            var flags = await db.Run(c => c.QueryAsync<(long CallId, string Reason)>(
                $"SELECT call_id, reason FROM review_flags WHERE {Viewer.InList(db.Engine, "call_id", "ids")} AND status <> 'closed'", new { ids }), ct);
            var byId = rows.ToDictionary(r => r.CallId);
            foreach (var (callId, reason) in flags.OrderBy(f => Array.IndexOf(ReasonOrder, f.Reason)))
                byId[callId].Reasons.Add(reason);
        }
        return (rows, more);
    }

    /// <summary>Open disputes an agent raised on calls this viewer may review: they come back to the monitors' queue.</summary>
    public async Task<IReadOnlyList<Calls.DisputeRow>> OpenDisputes(Viewer viewer, CancellationToken ct = default)
    {
        var (predicate, viewerArgs) = ReviewPredicate(viewer, db.Engine);
        return (await db.Run(c => c.QueryAsync<Calls.DisputeRow>($"""
            SELECT d.id, d.call_id, d.scorecard_id, d.review_id, u.display_name AS raised_by_name, d.item_id, d.reason, d.status,
                   d.created_at, c.team, c.agent_id
            FROM disputes d JOIN calls c ON c.id = d.call_id JOIN users u ON u.id = d.raised_by
            WHERE d.status = 'open' AND {predicate}
            ORDER BY d.created_at
            """, viewerArgs), ct)).AsList();
    }

    /// <summary>Which calls a viewer may review, as SQL: admins all, monitors their teams' calls.</summary>
    public static (string Sql, object Args) ReviewPredicate(Viewer viewer, DatabaseEngine engine) =>
        viewer.IsAdmin ? ("1 = 1", new { viewerTeams = Array.Empty<string>() })
        : viewer.IsMonitor && viewer.Teams.Count > 0 ? (Viewer.InList(engine, "c.team", "viewerTeams"), new { viewerTeams = viewer.Teams.ToArray() })
        : ("1 = 0", new { viewerTeams = Array.Empty<string>() });

    /// <summary>Distinct values for the filter drop-downs, limited to what the viewer may review.</summary>
    public async Task<(IReadOnlyList<string> Teams, IReadOnlyList<string> Queues)> FilterValues(Viewer viewer, CancellationToken ct = default)
    {
        var teams = viewer.IsAdmin
            ? (await db.Run(c => c.QueryAsync<string>("SELECT name FROM teams ORDER BY name"), ct)).AsList()
            : viewer.Teams.ToList();
        var queues = (await db.Run(c => c.QueryAsync<string>(
            "SELECT DISTINCT queue FROM calls WHERE queue IS NOT NULL AND id > (SELECT MAX(id) - 5000 FROM calls) ORDER BY queue"), ct)).AsList();
        return (teams, queues);
    }
}
