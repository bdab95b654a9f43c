using Dapper;
using QaPipeline.Learning.Reviews;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Pipeline.Storage;

/// <summary>
/// Every human decision on an automatic item verdict (submitted reviews, review_item_verdicts) joined to what the
/// pipeline stored for that call: the scorecard the reviewer saw, the transcript and the acoustic facts. These are the
/// labelled examples of the review-priority model (QaPipeline.Learning).
/// </summary>
public sealed class ReviewHistoryRepository(Database db)
{
    /// <summary>Submitted reviews with the stored results of their call, oldest first. Plain joins: the same SQL on every engine.</summary>
    public async Task<IReadOnlyList<ReviewedVerdict>> LabelledVerdicts(CancellationToken ct = default)
    {
        var (calls, items) = await db.Run(async c =>
        {
            var calls = (await c.QueryAsync<ReviewedCallRow>("""
                SELECT r.id AS review_id, r.call_id, c.agent_id, r.submitted_at,
                       s.json AS scorecard_json, t.json AS transcript_json, a.json AS facts_json
                FROM reviews r
                JOIN calls c ON c.id = r.call_id
                JOIN scorecards s ON s.id = r.scorecard_id
                LEFT JOIN transcripts t ON t.call_id = r.call_id
                LEFT JOIN acoustic_facts a ON a.call_id = r.call_id
                WHERE r.status = @submitted AND r.submitted_at IS NOT NULL
                ORDER BY r.submitted_at, r.id
                """, new { submitted = "submitted" })).ToList();
            var items = (await c.QueryAsync<ReviewedItemRow>("""
                SELECT v.review_id, v.item_id, v.machine_verdict, v.human_verdict
                FROM review_item_verdicts v
                JOIN reviews r ON r.id = v.review_id
                WHERE r.status = @submitted AND r.submitted_at IS NOT NULL
                """, new { submitted = "submitted" })).ToList();
            return (calls, items);
        }, ct);

        var byReview = items.ToLookup(i => i.ReviewId);
        var result = new List<ReviewedVerdict>();
        // The agent-history feature uses only reviews submitted before each one, as it would have been known then.
        var agentSeen = new Dictionary<string, (int Reviewed, int Overturned)>(StringComparer.Ordinal);
        int allReviewed = 0, allOverturned = 0;
        foreach (var call in calls)
        {
            var card = ScorecardJson.Parse(call.ScorecardJson);
            var transcript = call.TranscriptJson is { } tj ? TranscriptFormat.Parse(tj) : null;
            var facts = call.FactsJson is { } fj ? AcousticFactsJson.Parse(fj) : null;
            var agent = call.AgentId ?? "";
            var (reviewed, overturned) = agentSeen.GetValueOrDefault(agent);
            var rate = AgentHistory.DisagreementRate(reviewed, overturned, FloorRate(allReviewed, allOverturned));
            var at = new DateTimeOffset(DateTime.SpecifyKind(call.SubmittedAt, DateTimeKind.Utc));
            foreach (var decision in byReview[call.ReviewId].OrderBy(i => i.ItemId, StringComparer.Ordinal))
            {
                // A rubric item the stored scorecard does not have cannot be described; it teaches nothing.
                if (card.Items.FirstOrDefault(i => i.Id == decision.ItemId) is not { } item) continue;
                var disagreed = !string.Equals(decision.MachineVerdict, decision.HumanVerdict, StringComparison.Ordinal);
                result.Add(new ReviewedVerdict(call.CallId.ToString(), agent, at, ScorecardFeatures.For(card, item, transcript, facts, rate), disagreed));
                reviewed++;
                allReviewed++;
                if (disagreed) { overturned++; allOverturned++; }
            }
            agentSeen[agent] = (reviewed, overturned);
        }
        return result;
    }

    /// <summary>Smoothed overturn rate of each agent over every submitted review (for ranking queued verdicts now).</summary>
    public async Task<AgentRates> AgentDisagreementRates(CancellationToken ct = default)
    {
        var rows = await db.Run(c => c.QueryAsync<AgentCountRow>("""
            SELECT c.agent_id, COUNT(*) AS reviewed,
                   SUM(CASE WHEN v.machine_verdict <> v.human_verdict THEN 1 ELSE 0 END) AS overturned
            FROM review_item_verdicts v
            JOIN reviews r ON r.id = v.review_id
            JOIN calls c ON c.id = r.call_id
            WHERE r.status = @submitted
            GROUP BY c.agent_id
            """, new { submitted = "submitted" }), ct);
        var list = rows.ToList();
        var floor = FloorRate((int)list.Sum(r => r.Reviewed), (int)list.Sum(r => r.Overturned));
        return new AgentRates(list.ToDictionary(r => r.AgentId ?? "", r => AgentHistory.DisagreementRate((int)r.Reviewed, (int)r.Overturned, floor)),
            floor, (int)list.Sum(r => r.Reviewed));
    }

    /// <summary>Before any review the floor-wide rate is unknown; 10% is a neutral start that the prior soon outweighs.</summary>
    private static double FloorRate(int reviewed, int overturned) => reviewed == 0 ? 0.1 : (double)overturned / reviewed;

    private sealed class ReviewedCallRow
    {
        public long ReviewId { get; set; }
        public long CallId { get; set; }
        public string? AgentId { get; set; }
        public DateTime SubmittedAt { get; set; }
        public string ScorecardJson { get; set; } = "";
        public string? TranscriptJson { get; set; }
        public string? FactsJson { get; set; }
    }

    private sealed class ReviewedItemRow
    {
        public long ReviewId { get; set; }
        public string ItemId { get; set; } = "";
        public string MachineVerdict { get; set; } = "";
        public string HumanVerdict { get; set; } = "";
    }

    private sealed class AgentCountRow
    {
        public string? AgentId { get; set; }
        public long Reviewed { get; set; }
        public long Overturned { get; set; }
    }
}

/// <summary>Each agent's smoothed overturn rate, the floor-wide rate for agents without reviews, and the labelled verdict count.</summary>
public sealed record AgentRates(IReadOnlyDictionary<string, double> ByAgent, double FloorRate, int LabelledVerdicts)
{
    public double For(string? agentId) =>
        ByAgent.TryGetValue(agentId ?? "", out var rate) ? rate : AgentHistory.DisagreementRate(0, 0, FloorRate);
}
