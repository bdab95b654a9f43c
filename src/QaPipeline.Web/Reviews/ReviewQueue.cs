using QaPipeline.Centre.Review;
using QaPipeline.Learning.Ranking;
using QaPipeline.Learning.Reviews;
using QaPipeline.Storage;
using QaPipeline.Web.Access;

namespace QaPipeline.Web.Reviews;

/// <summary>Filters of the review queue; empty means "any". Score bands are percent of the maximum. <see cref="Reason"/> is
/// the flag reason (why the call is in the queue); <see cref="CallReason"/> the call reason (why the customer called).</summary>
public sealed record QueueFilter(string? Team = null, string? Agent = null, string? Queue = null, DateTime? From = null, DateTime? To = null,
    string? Item = null, string? Reason = null, string? Band = null, int Page = 0, string? Order = null, string? CallReason = null,
    string? Search = null)
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
        var f = InputLimits.Date(from, "field.from");
        var t = InputLimits.Date(to, "field.to");
        if (page < 0 || page > MaxPage) throw new ReviewRuleException("error.page_must_0", 400, MaxPage);
        return new QueueFilter(InputLimits.OptionalName(team, "field.team"), InputLimits.OptionalName(agent, "field.agent"),
            InputLimits.OptionalName(queue, "field.queue"), f, toIsInclusiveDay && t is { } day ? day.AddDays(1) : t,
            InputLimits.OptionalName(item, "field.item"), InputLimits.OneOf(reason, FlagReason.InWorkingOrder.Select(r => r.Code).ToArray(), "field.reason"),
            InputLimits.OneOf(band, Bands, "field.score_band"), page, InputLimits.OneOf(order, [BySeverity, ByLikelyWrong], "field.order"));
    }
}

/// <summary>What ordered a queue page and why (e.g. "rule-based priority: 40 labelled reviews, fewer than the 1000 ...").</summary>
public sealed record QueueOrdering(string Order, string Source, string Reason, string? ModelVersion);

/// <summary>One page of the queue with the ordering that produced it.</summary>
public sealed record QueuePage(IReadOnlyList<QueueRow> Rows, bool More, QueueOrdering Ordering)
{
    public void Deconstruct(out IReadOnlyList<QueueRow> rows, out bool more) => (rows, more) = (Rows, More);
}

/// <summary>
/// The monitors' work list (质检队列): calls with open review flags, the most serious first (fatal, then items the
/// machine could not decide, low ASR confidence, low score, random sample), oldest first within a kind.
/// Only calls the viewer may review appear; a claimed call shows who holds it.
/// </summary>
public sealed class ReviewQueue(ReviewQueueRepository queue, ReviewHistoryRepository stored, DisputeRepository disputes, UserRepository users,
    ReviewPriority priority, ReviewHistory history)
{
    public const int PageSize = 50;

    /// <summary>
    /// Calls the most-likely-wrong ordering re-ranks: the first ones of the default order, which is what a team works
    /// through in a day. Scoring only these keeps the page fast with 100,000 flagged calls; pages beyond them
    /// continue in the default order.
    /// </summary>
    public const int LikelyWrongCandidates = 100;

    private static readonly QueueOrdering SeverityOrdering =
        new(QueueFilter.BySeverity, "flag_reason", "most serious flag first (fatal, undecided items, low ASR confidence, low score, model expects an override, sample), oldest first", null);

    /// <summary>The page's filters as the storage query, within the calls the viewer may review. A narrowed queue (a
    /// monitor's teams, one team, one agent) groups its calls' flags; the whole centre walks them.</summary>
    public static QueueQuery Query(Viewer viewer, QueueFilter filter, int wanted)
    {
        (double, double)? band = null;
        if (filter.Band is { } b && Array.IndexOf(QueueFilter.Bands, b) >= 0)
        {
            var parts = b.Split('-');
            band = (double.Parse(parts[0]), double.Parse(parts[1]));
        }
        return new QueueQuery(viewer.ReviewScope, wanted,
            WholeCentre: !(filter.Team is { Length: > 0 } || filter.Agent is { Length: > 0 } || !viewer.IsAdmin),
            OnlyReason: filter.Reason, Team: filter.Team, Agent: filter.Agent, Queue: filter.Queue, From: filter.From, To: filter.To,
            Item: filter.Item, Band: band, CallReason: filter.CallReason, Search: filter.Search);
    }

    public async Task<QueuePage> Page(Viewer viewer, QueueFilter filter, CancellationToken ct = default)
    {
        var wanted = (Math.Max(0, filter.Page) + 1) * PageSize + 1;
        if (filter.LikelyWrongFirst) wanted = Math.Max(wanted, LikelyWrongCandidates + 1);
        var picked = (await queue.Flagged(Query(viewer, filter, wanted), ct)).ToList();
        var ordering = SeverityOrdering;
        var likelyWrong = new Dictionary<long, (string Item, double Priority)>();
        if (filter.LikelyWrongFirst)
            (picked, ordering, likelyWrong) = await RankLikelyWrong(picked, ct);
        var pageIds = picked.Skip(Math.Max(0, filter.Page) * PageSize).Take(PageSize + 1).ToList();
        var rows = new List<QueueRow>();
        if (pageIds.Count > 0)
        {
            var details = await queue.Rows(pageIds.Select(p => p.CallId).ToList(), ct);
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
            var flags = await queue.OpenReasons(rows.Select(r => r.CallId).ToList(), ct);
            var byId = rows.ToDictionary(r => r.CallId);
            foreach (var (callId, reason) in flags.OrderBy(f => FlagReason.OrderOf(f.Reason)))
                byId[callId].Reasons.Add(reason);
        }
        return new QueuePage(rows, more, ordering);
    }

    /// <summary>
    /// Re-ranks the first <see cref="LikelyWrongCandidates"/> calls by their automatic verdict most likely to be
    /// overturned: the promoted model's probability, or the rule-based priority until a model is trusted. Features come
    /// from the stored scorecard, transcript and acoustic facts, exactly as the training job reads them.
    /// </summary>
    private async Task<(List<FlaggedCall>, QueueOrdering, Dictionary<long, (string, double)>)> RankLikelyWrong(
        List<FlaggedCall> picked, CancellationToken ct)
    {
        var candidates = picked.Take(LikelyWrongCandidates).ToList();
        var rows = await stored.StoredCalls(candidates.Select(p => p.CallId).ToList(), ct);
        var rates = await history.AgentDisagreementRates(ct);
        var verdicts = new List<QueuedVerdict>();
        foreach (var row in rows)
        {
            var call = StoredCall.From(row.CallId, row.AgentId, row.ScorecardJson, row.TranscriptJson, row.FactsJson);
            var rate = rates.For(row.AgentId);
            foreach (var item in call.Scorecard.Items)
                verdicts.Add(new QueuedVerdict(call.CallId.ToString(), call.AgentId, call.FeaturesOf(item, rate)));
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

    /// <summary>The call a monitor works on next: the first call of their queue (default order) that nobody holds;
    /// null when the first page has none.</summary>
    public async Task<QueueRow?> NextFor(Viewer viewer, long currentCallId, CancellationToken ct = default)
    {
        var (rows, _) = await Page(viewer, new QueueFilter(), ct);
        return rows.FirstOrDefault(r => r.CallId != currentCallId && r.ClaimedById is null);
    }

    /// <summary>Open disputes an agent raised on calls this viewer may review: they come back to the monitors' queue,
    /// oldest first, at most <paramref name="limit"/> (the queue page shows the first ones and a count).</summary>
    public Task<IReadOnlyList<DisputeRow>> OpenDisputes(Viewer viewer, CancellationToken ct = default, int limit = 1000) =>
        disputes.Open(viewer.ReviewScope, ct, limit);

    /// <summary>How many disputes wait for this viewer.</summary>
    public Task<long> OpenDisputeCount(Viewer viewer, CancellationToken ct = default) => disputes.OpenCount(viewer.ReviewScope, ct);

    /// <summary>Distinct values for the filter drop-downs, limited to what the viewer may review.</summary>
    public async Task<(IReadOnlyList<string> Teams, IReadOnlyList<string> Queues)> FilterValues(Viewer viewer, CancellationToken ct = default)
    {
        var teams = viewer.IsAdmin
            ? (await users.Teams(ct)).Select(t => t.Name).ToList()
            : viewer.Teams.ToList();
        var queues = await queue.RecentQueueNames(ct);
        return (teams, queues);
    }
}
