using QaPipeline.Learning.Reviews;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;
using QaPipeline.Storage;

namespace QaPipeline.Centre.Review;

/// <summary>A stored call read back as the scoring core's types: what the learning features are computed from.</summary>
public sealed record StoredCall(long CallId, string AgentId, Scorecard Scorecard, Transcript? Transcript, AcousticFacts? Facts)
{
    /// <summary>The one loader from stored JSON to the learning features' inputs (training, flagging and the queue alike).</summary>
    public static StoredCall From(long callId, string? agentId, string scorecardJson, string? transcriptJson, string? factsJson) =>
        new(callId, agentId ?? "", ScorecardJson.Parse(scorecardJson),
            transcriptJson is { } tj ? TranscriptFormat.Parse(tj) : null,
            factsJson is { } fj ? AcousticFactsJson.Parse(fj) : null);

    public VerdictFeatures FeaturesOf(ItemVerdict item, double agentDisagreementRate) =>
        ScorecardFeatures.For(Scorecard, item, Transcript, Facts, agentDisagreementRate);
}

/// <summary>
/// Every human decision on an automatic item verdict, with the features of the verdict as the reviewer saw it:
/// the labelled examples of the review-priority model (QaPipeline.Learning), and each agent's overturn rate.
/// </summary>
public sealed class ReviewHistory(ReviewHistoryRepository reviews)
{
    /// <summary>Submitted reviews' item decisions, oldest first.</summary>
    public async Task<IReadOnlyList<ReviewedVerdict>> LabelledVerdicts(CancellationToken ct = default)
    {
        var (calls, items) = await reviews.Submitted(ct);
        var byReview = items.ToLookup(i => i.ReviewId);
        var result = new List<ReviewedVerdict>();
        // The agent-history feature uses only reviews submitted before each one, as it would have been known then.
        var agentSeen = new Dictionary<string, (int Reviewed, int Overturned)>(StringComparer.Ordinal);
        int allReviewed = 0, allOverturned = 0;
        foreach (var row in calls)
        {
            var call = StoredCall.From(row.CallId, row.AgentId, row.ScorecardJson, row.TranscriptJson, row.FactsJson);
            var agent = call.AgentId;
            var (reviewed, overturned) = agentSeen.GetValueOrDefault(agent);
            var rate = AgentHistory.DisagreementRate(reviewed, overturned, FloorRate(allReviewed, allOverturned));
            var at = new DateTimeOffset(DateTime.SpecifyKind(row.SubmittedAt, DateTimeKind.Utc));
            foreach (var decision in byReview[row.ReviewId].OrderBy(i => i.ItemId, StringComparer.Ordinal))
            {
                // A rubric item the stored scorecard does not have cannot be described; it teaches nothing.
                if (call.Scorecard.Items.FirstOrDefault(i => i.Id == decision.ItemId) is not { } item) continue;
                var disagreed = !string.Equals(decision.MachineVerdict, decision.HumanVerdict, StringComparison.Ordinal);
                result.Add(new ReviewedVerdict(call.CallId.ToString(), agent, at, call.FeaturesOf(item, rate), disagreed));
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
        var list = await reviews.CountsByAgent(ct);
        var floor = FloorRate((int)list.Sum(r => r.Reviewed), (int)list.Sum(r => r.Overturned));
        return new AgentRates(list.ToDictionary(r => r.AgentId ?? "", r => AgentHistory.DisagreementRate((int)r.Reviewed, (int)r.Overturned, floor)),
            floor, (int)list.Sum(r => r.Reviewed));
    }

    /// <summary>Before any review the floor-wide rate is unknown; 10% is a neutral start that the prior soon outweighs.</summary>
    private static double FloorRate(int reviewed, int overturned) => reviewed == 0 ? 0.1 : (double)overturned / reviewed;
}

/// <summary>Each agent's smoothed overturn rate, the floor-wide rate for agents without reviews, and the labelled verdict count.</summary>
public sealed record AgentRates(IReadOnlyDictionary<string, double> ByAgent, double FloorRate, int LabelledVerdicts)
{
    public double For(string? agentId) =>
        ByAgent.TryGetValue(agentId ?? "", out var rate) ? rate : AgentHistory.DisagreementRate(0, 0, FloorRate);
}
