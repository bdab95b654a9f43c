using Dapper;
using QaPipeline.Learning.Ranking;
using QaPipeline.Learning.Reviews;
using QaPipeline.Pipeline.Storage;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

/// <summary>Filters of the review queue; empty means "any". Score bands are percent of the maximum.</summary>
public sealed record QueueFilter(string? Team = null, string? Agent = null, string? Queue = null, DateTime? From = null, DateTime? To = null,
    string? Item = null, string? Reason = null, string? Band = null, int Page = 0, string? Order = null)
{
    public static readonly string[] Bands = ["0-60", "60-80", "80-90", "90-100"];

    /// <summary>The default: most serious flag first, oldest first within a kind.</summary>
    public const string BySeverity = "severity";

    /// <summary>Most likely wrong first: the review-priority model (or its rule-based fallback) ranks the automatic verdicts.</summary>
    public const string ByLikelyWrong = "likely_wrong";

    public bool LikelyWrongFirst => Order == ByLikelyWrong;

    /// <summary>Deepest page a person pages to; beyond it the filters narrow the list better than paging does.</summary>
    public const int MaxPage = 1000;

    /// <summary>The filter as typed (from a query string), checked: dates inside the sane window (the "to" day is
    /// inclusive, so the bound is the next midnight), enums known, names short, page in range. Throws a 400 otherwise.</summary>
    public static QueueFilter Checked(string? team, string? agent, string? queue, DateTime? from, DateTime? to, string? item, string? reason,
        string? band, int page, string? order, bool toIsInclusiveDay)
    {
        var f = InputLimits.Date(from, "from", "开始日期");
        var t = InputLimits.Date(to, "to", "结束日期");
        if (page < 0 || page > MaxPage) throw new ReviewRuleException($"the page must be 0–{MaxPage}", 400, $"页码须为 0–{MaxPage}");
        return new QueueFilter(InputLimits.OptionalName(team, "team", "班组"), InputLimits.OptionalName(agent, "agent", "客服代表"),
            InputLimits.OptionalName(queue, "queue", "队列"), f, toIsInclusiveDay && t is { } day ? day.AddDays(1) : t,
            InputLimits.OptionalName(item, "item", "评分项"), InputLimits.OneOf(reason, ReviewQueue.ReasonOrder, "reason", "原因"),
            InputLimits.OneOf(band, Bands, "score band", "分数段"), page, InputLimits.OneOf(order, [BySeverity, ByLikelyWrong], "order", "排序"));
    }
}

/// <summary>What ordered a queue page and why (e.g. "rule-based priority: 40 labelled reviews, fewer than the 1000 ...").</summary>
public sealed record QueueOrdering(string Order, string Source, string Reason, string? ModelVersion);

/// <summary>One page of the queue with the ordering that produced it.</summary>
public sealed record QueuePage(IReadOnlyList<QueueRow> Rows, bool More, QueueOrdering Ordering)
{
    public void Deconstruct(out IReadOnlyList<QueueRow> rows, out bool more) => (rows, more) = (Rows, More);
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
    public int Priority { get; set; }
    public DateTime FlaggedAt { get; set; }
    public string? ClaimedBy { get; init; }
    public long? ClaimedById { get; init; }
    public List<string> Reasons { get; } = [];

    /// <summary>Most-likely-wrong ordering only: the call's verdict most likely to be overturned and its priority
    /// (a probability for the learned model, a heuristic score for the rule-based fallback).</summary>
    public string? LikelyWrongItem { get; set; }
    public double? LikelyWrongPriority { get; set; }
}

/// <summary>
/// The monitors' work list (质检队列): calls with open review flags, the most serious first (fatal, then items the
/// machine could not decide, low ASR confidence, low score, random sample), oldest first within a kind.
/// Only calls the viewer may review appear; a claimed call shows who holds it.
/// </summary>
public sealed class ReviewQueue(Database db, ReviewPriority priority, ReviewHistoryRepository history)
{
    private sealed class FlagHit
    {
        public long CallId { get; init; }
        public string Reason { get; init; } = "";
        public int Priority { get; init; }
        public DateTime CreatedAt { get; init; }
    }

    public const int PageSize = 50;

    /// <summary>Flag reasons in the order they are worked.</summary>
    public static readonly string[] ReasonOrder = ["fatal", "review_item", "low_asr_confidence", "low_score", "model_disagreement", "random_sample"];

    private const string PrioritySql =
        "CASE f.reason WHEN 'fatal' THEN 0 WHEN 'review_item' THEN 1 WHEN 'low_asr_confidence' THEN 2 WHEN 'low_score' THEN 3 WHEN 'model_disagreement' THEN 4 ELSE 5 END";

    /// <summary>
    /// Calls the most-likely-wrong ordering re-ranks: the first ones of the default order, which is what a team works
    /// through in a day. Scoring only these keeps the page fast with 100,000 flagged calls; pages beyond them
    /// continue in the default order.
    /// </summary>
    public const int LikelyWrongCandidates = 100;

    private static readonly QueueOrdering SeverityOrdering =
        new(QueueFilter.BySeverity, "flag_reason", "most serious flag first (fatal, undecided items, low ASR confidence, low score, model expects an override, sample), oldest first", null);

    public async Task<QueuePage> Page(Viewer viewer, QueueFilter filter, CancellationToken ct = default)
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
        Add("EXISTS (SELECT 1 FROM scorecard_items i WHERE i.scorecard_id = s.id AND i.item_id = @item AND i.verdict IN ('fail', 'review'))", "item", filter.Item);
        if (filter.Band is { } band && Array.IndexOf(QueueFilter.Bands, band) >= 0)
        {
            var parts = band.Split('-');
            where.Add("s.score * 100 >= @bandLow * s.max_score AND (s.score * 100 < @bandHigh * s.max_score OR @bandHigh = 100)");
            args.Add("bandLow", double.Parse(parts[0]));
            args.Add("bandHigh", double.Parse(parts[1]));
        }
        args.Add("yes", true);
        var wanted = (Math.Max(0, filter.Page) + 1) * PageSize + 1;
        if (filter.LikelyWrongFirst) wanted = Math.Max(wanted, LikelyWrongCandidates + 1);
        args.Add("wanted", wanted);
        var picked = new List<(long CallId, int Priority, DateTime FlaggedAt)>();
        var seen = new HashSet<long>();
        // A reason filter keeps only that reason's walk; a call is otherwise placed by its most serious reason.
        var reasons = filter.Reason is { Length: > 0 } only ? ReasonOrder.Where(r => r == only).ToArray() : ReasonOrder;
        if (filter.Team is { Length: > 0 } || filter.Agent is { Length: > 0 } || !viewer.IsAdmin)
        {
            // Narrow queues (a monitor's teams, one team, one agent): start from those calls by the calls indexes, group
            // their unclosed flags per call (most serious reason first) and hand back only the page — a few thousand
            // flags grouped in the database even with 100,000 calls in it.
            var reasonFilter = reasons.Length == 1 ? " AND f.reason = @onlyReason" : "";
            if (reasons.Length == 1) args.Add("onlyReason", reasons[0]);
            var top = db.Engine == DatabaseEngine.SqlServer ? "TOP (@wanted)" : "";
            var limit = db.Engine == DatabaseEngine.SqlServer ? "" : "LIMIT @wanted";
            var sql = $"""
                SELECT {top} f.call_id, MIN({PrioritySql}) AS priority, MIN(f.created_at) AS created_at FROM calls c
                JOIN review_flags f ON f.call_id = c.id AND f.status <> 'closed'{reasonFilter}
                JOIN scorecards s ON s.id = f.scorecard_id AND s.is_current = @yes
                WHERE {string.Join(" AND ", where)}
                GROUP BY f.call_id
                ORDER BY priority, created_at, f.call_id
                {limit}
                """;
            foreach (var hit in await db.Run(c => c.QueryAsync<FlagHit>(sql, args), ct))
                if (seen.Add(hit.CallId)) picked.Add((hit.CallId, hit.Priority, hit.CreatedAt));
        }
        else
        {
            // The whole centre (an admin without filters): one walk per flag reason, most serious first, each along the
            // partial index of unclosed flags in flag-time order, stopping after enough matches — never grouping or
            // sorting all flagged calls.
            var top = db.Engine == DatabaseEngine.SqlServer ? "TOP (@wanted)" : "";
            var limit = db.Engine == DatabaseEngine.SqlServer ? "" : "LIMIT @wanted";
            foreach (var reason in reasons)
            {
                if (picked.Count >= wanted) break;
                args.Add("walkReason", reason);
                var sql = $"""
                    SELECT {top} f.call_id, f.reason, f.created_at FROM review_flags f
                    JOIN calls c ON c.id = f.call_id
                    JOIN scorecards s ON s.id = f.scorecard_id AND s.is_current = @yes
                    WHERE f.status <> 'closed' AND f.reason = @walkReason AND {string.Join(" AND ", where)}
                    ORDER BY f.created_at, f.call_id
                    {limit}
                    """;
                foreach (var hit in await db.Run(c => c.QueryAsync<FlagHit>(sql, args), ct))
                    if (seen.Add(hit.CallId)) picked.Add((hit.CallId, Array.IndexOf(ReasonOrder, reason), hit.CreatedAt));
            }
        }
        var ordering = SeverityOrdering;
        var likelyWrong = new Dictionary<long, (string Item, double Priority)>();
        if (filter.LikelyWrongFirst)
            (picked, ordering, likelyWrong) = await RankLikelyWrong(picked, ct);
        var pageIds = picked.Skip(Math.Max(0, filter.Page) * PageSize).Take(PageSize + 1).ToList();
        var rows = new List<QueueRow>();
        if (pageIds.Count > 0)
        {
            var ids = pageIds.Select(p => p.CallId).ToArray();
            var details = (await db.Run(c => c.QueryAsync<QueueRow>($"""
                SELECT c.id AS call_id, c.external_call_id, c.agent_id, c.team, c.queue, c.started_at, s.score, s.max_score, s.fatal,
                       u.display_name AS claimed_by, r.reviewer_id AS claimed_by_id
                FROM calls c
                JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
                LEFT JOIN reviews r ON r.call_id = c.id AND r.status = 'draft'
                LEFT JOIN users u ON u.id = r.reviewer_id
                WHERE {Viewer.InList(db.Engine, "c.id", "ids")}
                """, new { ids, yes = true }), ct)).ToDictionary(r => r.CallId);
            foreach (var (callId, priority, flaggedAt) in pageIds)
                if (details.TryGetValue(callId, out var row))
                {
                    row.Priority = priority;
                    row.FlaggedAt = flaggedAt;
                    if (likelyWrong.TryGetValue(callId, out var worst)) (row.LikelyWrongItem, row.LikelyWrongPriority) = (worst.Item, worst.Priority);
                    rows.Add(row);
                }
        }
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
        return new QueuePage(rows, more, ordering);
    }

    /// <summary>
    /// Re-ranks the first <see cref="LikelyWrongCandidates"/> calls by their automatic verdict most likely to be
    /// overturned: the promoted model's probability, or the rule-based priority until a model is trusted. Features come
    /// from the stored scorecard, transcript and acoustic facts, exactly as the training job reads them.
    /// </summary>
    private async Task<(List<(long CallId, int Priority, DateTime FlaggedAt)>, QueueOrdering, Dictionary<long, (string, double)>)> RankLikelyWrong(
        List<(long CallId, int Priority, DateTime FlaggedAt)> picked, CancellationToken ct)
    {
        var candidates = picked.Take(LikelyWrongCandidates).ToList();
        var ids = candidates.Select(p => p.CallId).ToArray();
        var stored = ids.Length == 0 ? [] : (await db.Run(c => c.QueryAsync<(long CallId, string? AgentId, string ScorecardJson, string? TranscriptJson, string? FactsJson)>($"""
            SELECT c.id, c.agent_id, s.json, t.json, a.json
            FROM calls c
            JOIN scorecards s ON s.call_id = c.id AND s.is_current = @yes
            LEFT JOIN transcripts t ON t.call_id = c.id
            LEFT JOIN acoustic_facts a ON a.call_id = c.id
            WHERE {Viewer.InList(db.Engine, "c.id", "ids")}
            """, new { ids, yes = true }), ct)).AsList();
        var rates = await history.AgentDisagreementRates(ct);
        var verdicts = new List<QueuedVerdict>();
        foreach (var call in stored)
        {
            var card = ScorecardJson.Parse(call.ScorecardJson);
            var transcript = call.TranscriptJson is { } tj ? TranscriptFormat.Parse(tj) : null;
            var facts = call.FactsJson is { } fj ? AcousticFactsJson.Parse(fj) : null;
            var rate = rates.For(call.AgentId);
            foreach (var item in card.Items)
                verdicts.Add(new QueuedVerdict(call.CallId.ToString(), call.AgentId ?? "", ScorecardFeatures.For(card, item, transcript, facts, rate)));
        }
        var ranked = priority.Rank(verdicts, rates.LabelledVerdicts);
        // Ranked verdicts come most likely wrong first: the first one seen for a call is its worst.
        var worst = new Dictionary<long, (string Item, double Priority)>();
        foreach (var v in ranked.Verdicts)
            worst.TryAdd(long.Parse(v.Verdict.CallId), (v.Verdict.Features.ItemId, v.Priority));
        var order = candidates.Select((p, index) => (p, index))
            .OrderByDescending(x => worst.TryGetValue(x.p.CallId, out var w) ? w.Priority : double.NegativeInfinity)
            .ThenBy(x => x.index)
            .Select(x => x.p);
        var reordered = order.Concat(picked.Skip(LikelyWrongCandidates)).ToList();
        var source = ranked.Source == PrioritySource.LearnedModel ? "learned_model" : "rule_based";
        return (reordered, new QueueOrdering(QueueFilter.ByLikelyWrong, source, ranked.Reason, ranked.ModelVersion), worst);
    }

    /// <summary>Open disputes an agent raised on calls this viewer may review: they come back to the monitors' queue,
    /// oldest first, at most <paramref name="limit"/> of them (the queue page shows the first ones and a count; each
    /// reason is read in full on its call page).</summary>
    public async Task<IReadOnlyList<Calls.DisputeRow>> OpenDisputes(Viewer viewer, CancellationToken ct = default, int limit = 1000)
    {
        var (predicate, viewerArgs) = ReviewPredicate(viewer, db.Engine);
        var args = new DynamicParameters(viewerArgs);
        args.Add("limit", limit);
        var top = db.Engine == DatabaseEngine.SqlServer ? "TOP (@limit)" : "";
        var tail = db.Engine == DatabaseEngine.SqlServer ? "" : "LIMIT @limit";
        return (await db.Run(c => c.QueryAsync<Calls.DisputeRow>($"""
            SELECT {top} d.id, d.call_id, d.scorecard_id, d.review_id, u.display_name AS raised_by_name, d.item_id, d.reason, d.status,
                   d.created_at, c.team, c.agent_id
            FROM disputes d JOIN calls c ON c.id = d.call_id JOIN users u ON u.id = d.raised_by
            WHERE d.status = 'open' AND {predicate}
            ORDER BY d.created_at, d.id {tail}
            """, args), ct)).AsList();
    }

    /// <summary>How many disputes wait for this viewer (the queue page lists only the first ones).</summary>
    public Task<long> OpenDisputeCount(Viewer viewer, CancellationToken ct = default)
    {
        var (predicate, viewerArgs) = ReviewPredicate(viewer, db.Engine);
        return db.Run(c => c.ExecuteScalarAsync<long>($"""
            SELECT COUNT(*) FROM disputes d JOIN calls c ON c.id = d.call_id WHERE d.status = 'open' AND {predicate}
            """, viewerArgs), ct);
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
