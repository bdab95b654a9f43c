using Dapper;

namespace QaPipeline.Storage;

/// <summary>What a queue page asks for; <see cref="WholeCentre"/> picks the plan for an unfiltered centre-wide queue.</summary>
public sealed record QueueQuery(
    CallScope Scope,
    int Wanted,
    bool WholeCentre,
    string? OnlyReason = null,
    string? Team = null,
    string? Agent = null,
    string? Queue = null,
    DateTime? From = null,
    DateTime? To = null,
    string? Item = null,
    (double Low, double High)? Band = null,
    string? CallReason = null,
    string? Search = null);

/// <summary>A call with unclosed flags: its most serious flag's priority and when it was flagged.</summary>
public sealed record FlaggedCall(long CallId, int Priority, DateTime FlaggedAt);

public sealed class QueueRow
{
    public long CallId { get; init; }
    public string? ExternalCallId { get; init; }
    public string? AgentId { get; init; }
    /// <summary>The agent's name from their account, shown beside the code.</summary>
    public string? AgentName { get; init; }
    public string? Team { get; init; }
    public string? Queue { get; init; }
    public DateTime? StartedAt { get; init; }
    public double Score { get; init; }
    public double MaxScore { get; init; }
    public bool Fatal { get; init; }
    public int Priority { get; set; }
    public DateTime FlaggedAt { get; set; }
    public string? ClaimedBy { get; init; }
    public long? ClaimedById { get; init; }

    /// <summary>Finalised reviews of the call that nobody reopened: a closed call is not claimed again until a monitor
    /// of its team or an admin reopens it with a reason.</summary>
    public long ClosedReviews { get; init; }
    public bool ReviewClosed => ClosedReviews > 0;
    public List<string> Reasons { get; } = [];

    /// <summary>Most-likely-wrong ordering only: the call's verdict most likely to be overturned and its priority
    /// (a probability for the learned model, a heuristic score for the rule-based fallback).</summary>
    public string? LikelyWrongItem { get; set; }
    public double? LikelyWrongPriority { get; set; }
}

/// <summary>Open flags of one reason within a scope: how many calls carry it and since when the oldest waits.</summary>
public sealed class FlagTotal
{
    public string Reason { get; init; } = "";
    public long Calls { get; init; }
    public DateTime Oldest { get; init; }
}

/// <summary>The monitors' work list (质检队列) as queries over unclosed review flags.</summary>
public sealed class ReviewQueueRepository(Database db)
{
    // One queue line: the call, its current score, the agent's name and who holds a claim on it (flagged and all-calls views).
    // The current scorecard is named by a literal (see SqlDialect.True): with a parameter SQLite sorted every scorecard.
    private string QueueLine => $"""
        SELECT c.id AS call_id, c.external_call_id, c.agent_id, au.display_name AS agent_name, c.team, c.queue, c.started_at,
               s.score, s.max_score, s.fatal, u.display_name AS claimed_by, r.reviewer_id AS claimed_by_id,
               (SELECT COUNT(*) FROM reviews fr WHERE fr.call_id = c.id AND fr.status = 'submitted' AND fr.reopened_at IS NULL) AS closed_reviews
        FROM calls c
        JOIN scorecards s ON s.call_id = c.id AND s.is_current = {db.Dialect.True}
        LEFT JOIN reviews r ON r.call_id = c.id AND r.status = 'draft'
        LEFT JOIN users u ON u.id = r.reviewer_id
        LEFT JOIN users au ON au.agent_id = c.agent_id
        """;

    private sealed class FlagHit
    {
        public long CallId { get; init; }
        public string Reason { get; init; } = "";
        public int Priority { get; init; }
        public DateTime CreatedAt { get; init; }
    }

    /// <summary>The queue's filters as SQL conditions over <c>calls c</c> and <c>scorecards s</c> (the current scorecard),
    /// shared by the flagged-calls walk and the all-calls list. The search takes a call id, an external call id,
    /// an agent code or part of an agent's name.</summary>
    private (List<string> Where, DynamicParameters Args) Filters(QueueQuery q)
    {
        var (predicate, scopeArgs) = db.Dialect.CallsIn(q.Scope);
        var args = new DynamicParameters(scopeArgs);
        var where = new List<string> { predicate };
        void Add(string sql, string name, object? value) { if (value is null or "") return; where.Add(sql); args.Add(name, value); }
        Add("c.team = @team", "team", q.Team);
        Add("c.agent_id = @agent", "agent", q.Agent);
        Add("c.queue = @queue", "queue", q.Queue);
        Add("c.started_at >= @from", "from", q.From);
        Add("c.started_at < @to", "to", q.To);
        Add("EXISTS (SELECT 1 FROM scorecard_items i WHERE i.scorecard_id = s.id AND i.item_id = @item AND i.verdict IN ('fail', 'review'))", "item", q.Item);
        Add("EXISTS (SELECT 1 FROM scorecard_reasons cr WHERE cr.scorecard_id = s.id AND cr.reason_id = @callReason)", "callReason", q.CallReason);
        if (q.Band is var (low, high))
        {
            where.Add("s.score * 100 >= @bandLow * s.max_score AND (s.score * 100 < @bandHigh * s.max_score OR @bandHigh = 100)");
            args.Add("bandLow", low);
            args.Add("bandHigh", high);
        }
        if (q.Search?.Trim() is { Length: > 0 } search)
        {
            // One indexed lookup per way of naming a call (the id, ix_calls_external, ix_calls_agent_started, agents'
            // names then their calls), united: an OR across the columns was checked row by row along the whole walk.
            where.Add("""
                c.id IN (SELECT @searchId
                         UNION ALL SELECT x.id FROM calls x WHERE x.external_call_id = @search
                         UNION ALL SELECT x.id FROM calls x WHERE x.agent_id = @search
                         UNION ALL SELECT x.id FROM users u JOIN calls x ON x.agent_id = u.agent_id
                                   WHERE u.agent_id IS NOT NULL AND u.display_name LIKE @searchLike)
                """);
            args.Add("searchId", long.TryParse(search.TrimStart('#'), out var id) ? id : -1);
            args.Add("search", search);
            args.Add("searchLike", "%" + search.Replace("%", "").Replace("_", "") + "%");
        }
        args.Add("yes", true);
        return (where, args);
    }

    /// <summary>Flagged calls in working order (most serious flag first, oldest first within a kind), up to <c>Wanted</c>.</summary>
    public async Task<IReadOnlyList<FlaggedCall>> Flagged(QueueQuery q, CancellationToken ct = default)
    {
        var (where, args) = Filters(q);
        args.Add("wanted", q.Wanted);
        var (top, limit) = db.Dialect.RowLimit("@wanted");
        var picked = new List<FlaggedCall>();
        var seen = new HashSet<long>();
        // A reason filter keeps only that reason's walk; a call is otherwise placed by its most serious reason.
        var reasons = q.OnlyReason is { Length: > 0 } only ? FlagReason.InWorkingOrder.Where(r => r.Code == only).ToList() : FlagReason.InWorkingOrder;
        // A search names a few calls: start from them (the narrow plan) rather than walk every open flag of the centre.
        if (!q.WholeCentre || q.Search?.Trim() is { Length: > 0 })
        {
            // Narrow queues (a monitor's teams, one team, one agent): start from those calls by the calls indexes, group
            // their unclosed flags per call (most serious reason first) and hand back only the page — a few thousand
            // flags grouped in the database even with 100,000 calls in it.
            var reasonFilter = reasons.Count == 1 ? " AND f.reason = @onlyReason" : "";
            if (reasons.Count == 1) args.Add("onlyReason", reasons[0].Code);
            // The reasons' priorities are constants of the code (never user input), written into the CASE.
            var last = FlagReason.InWorkingOrder[^1];
            var priority = "CASE f.reason " + string.Concat(FlagReason.InWorkingOrder.SkipLast(1).Select(r => $"WHEN '{r.Code}' THEN {r.Order} "))
                           + $"ELSE {last.Order} END";
            // Only the item, call-reason and score-band filters read the scorecard; otherwise the flag's own copy of
            // is_current says which flags count, sparing a lookup into the large scorecards table per flag.
            var current = q.Item is { Length: > 0 } || q.CallReason is { Length: > 0 } || q.Band is not null
                ? "JOIN scorecards s ON s.id = f.scorecard_id AND s.is_current = @yes"
                : $"AND f.scorecard_current = {db.Dialect.True}";
            var sql = $"""
                SELECT {top} f.call_id, MIN({priority}) AS priority, MIN(f.created_at) AS created_at FROM calls c
                JOIN review_flags f ON f.call_id = c.id AND f.status <> 'closed'{reasonFilter}
                {current}
                WHERE {string.Join(" AND ", where)}
                GROUP BY f.call_id
                ORDER BY priority, created_at, f.call_id
                {limit}
                """;
            foreach (var hit in await db.Run(c => c.QueryAsync<FlagHit>(sql, args), ct))
                if (seen.Add(hit.CallId)) picked.Add(new FlaggedCall(hit.CallId, hit.Priority, hit.CreatedAt));
        }
        else
        {
            // The whole centre (an admin without filters): one walk per flag reason, most serious first, each along the
            // partial index of unclosed flags in flag-time order, stopping after enough matches — never grouping or
            // sorting all flagged calls.
            foreach (var reason in reasons)
            {
                if (picked.Count >= q.Wanted) break;
                args.Add("walkReason", reason.Code);
                var sql = $"""
                    SELECT {top} f.call_id, f.reason, f.created_at FROM review_flags f
                    JOIN calls c ON c.id = f.call_id
                    JOIN scorecards s ON s.id = f.scorecard_id AND s.is_current = @yes
                    WHERE f.status <> 'closed' AND f.reason = @walkReason AND {string.Join(" AND ", where)}
                    ORDER BY f.created_at, f.call_id
                    {limit}
                    """;
                var priority = reason.Order;
                foreach (var hit in await db.Run(c => c.QueryAsync<FlagHit>(sql, args), ct))
                    if (seen.Add(hit.CallId)) picked.Add(new FlaggedCall(hit.CallId, priority, hit.CreatedAt));
            }
        }
        return picked;
    }

    /// <summary>The queue lines of some calls: call, current score, and who holds a claim on it.</summary>
    public async Task<IReadOnlyDictionary<long, QueueRow>> Rows(IReadOnlyCollection<long> callIds, CancellationToken ct = default) =>
        callIds.Count == 0 ? new Dictionary<long, QueueRow>() : (await db.Run(c => c.QueryAsync<QueueRow>($"""
            {QueueLine}
            WHERE {db.Dialect.InList("c.id", "ids")}
            """, new { ids = callIds.ToArray(), yes = true }), ct)).ToDictionary(r => r.CallId);

    /// <summary>Every scored call the query lets through (flagged or not), newest first along <c>ix_calls_started</c>:
    /// <paramref name="take"/> rows after the first <paramref name="skip"/>.</summary>
    public async Task<List<QueueRow>> AllCalls(QueueQuery q, int skip, int take, CancellationToken ct = default)
    {
        var (where, args) = Filters(q);
        args.Add("skip", skip);
        args.Add("take", take);
        var page = db.Engine == DatabaseEngine.SqlServer ? "OFFSET @skip ROWS FETCH NEXT @take ROWS ONLY" : "LIMIT @take OFFSET @skip";
        return (await db.Run(c => c.QueryAsync<QueueRow>($"""
            {QueueLine}
            WHERE {string.Join(" AND ", where)}
            ORDER BY c.started_at DESC, c.id DESC
            {page}
            """, args), ct)).AsList();
    }

    /// <summary>Calls with an open flag of each reason within the scope, and the oldest flag's time: the unclosed flags of
    /// current scorecards, read from <c>ix_review_flags_totals</c> alone for the whole centre (a call has one current
    /// scorecard and a scorecard one flag per reason, so flags count calls). A narrower scope joins its calls.</summary>
    public async Task<IReadOnlyList<FlagTotal>> FlagTotals(CallScope scope, CancellationToken ct = default)
    {
        var (predicate, scopeArgs) = db.Dialect.CallsIn(scope);
        var args = new DynamicParameters(scopeArgs);
        var calls = scope.Everything ? "" : $"JOIN calls c ON c.id = f.call_id AND {predicate}";
        return (await db.Run(c => c.QueryAsync<FlagTotal>($"""
            SELECT f.reason, COUNT(*) AS calls, MIN(f.created_at) AS oldest
            FROM review_flags f {calls}
            WHERE f.scorecard_current = {db.Dialect.True} AND f.status <> 'closed'
            GROUP BY f.reason
            """, args), ct)).OrderBy(t => FlagReason.OrderOf(t.Reason)).ToList();
    }

    /// <summary>The unclosed flag reasons of some calls (of their current scorecards, as the queue and its totals count them).</summary>
    public async Task<IReadOnlyList<(long CallId, string Reason)>> OpenReasons(IReadOnlyCollection<long> callIds, CancellationToken ct = default) =>
        callIds.Count == 0 ? [] : (await db.Run(c => c.QueryAsync<(long CallId, string Reason)>(
            $"SELECT call_id, reason FROM review_flags WHERE {db.Dialect.InList("call_id", "ids")} AND status <> 'closed' AND scorecard_current = {db.Dialect.True}",
            new { ids = callIds.ToArray() }), ct)).AsList();

    /// <summary>Queue names of recent calls, for the filter drop-down (the last 5,000 calls keep it an index range).</summary>
    public async Task<IReadOnlyList<string>> RecentQueueNames(CancellationToken ct = default) =>
        (await db.Run(c => c.QueryAsync<string>(
            "SELECT DISTINCT queue FROM calls WHERE queue IS NOT NULL AND id > (SELECT MAX(id) - 5000 FROM calls) ORDER BY queue"), ct)).AsList();
}
