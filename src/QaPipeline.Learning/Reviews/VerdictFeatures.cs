namespace QaPipeline.Learning.Reviews;

/// <summary>
/// What the product already knows about one automatic item verdict when it is made; the model learns from these
/// which verdicts a human reviewer overturns. Every field comes from the scorecard, the transcript, the acoustic
/// facts or the review history — nothing a reviewer has to type.
/// </summary>
/// <param name="ItemId">Rubric item id (e.g. <c>courtesy.empathy</c>); a categorical feature, so one model serves every item.</param>
/// <param name="AutomaticVerdict"><c>pass</c>, <c>fail</c>, <c>na</c> or <c>review</c>.</param>
/// <param name="RuleMatchSimilarity">Similarity (0..1) of the best rule match that decided the item (0 when nothing matched).</param>
/// <param name="DecidingWordsAsrConfidence">Mean ASR confidence (0..1) of the words the decision rests on (1 when none).</param>
/// <param name="PositionInCall">Where the deciding evidence sits in the call, 0 = start, 1 = end.</param>
/// <param name="OverlapCount">Overlapping speech stretches in the call (acoustic facts).</param>
/// <param name="MaxSilenceSeconds">Longest silence in the call (acoustic facts).</param>
/// <param name="AgentDisagreementRate">Share of this agent's earlier reviewed verdicts that reviewers overturned (smoothed).</param>
/// <param name="RubricVersion">Version of the rubric that produced the verdict.</param>
public sealed record VerdictFeatures(
    string ItemId,
    string AutomaticVerdict,
    double RuleMatchSimilarity,
    double DecidingWordsAsrConfidence,
    double PositionInCall,
    int OverlapCount,
    double MaxSilenceSeconds,
    double AgentDisagreementRate,
    string RubricVersion);

/// <summary>An automatic item verdict waiting in the review queue.</summary>
public sealed record QueuedVerdict(string CallId, string AgentId, VerdictFeatures Features);

/// <summary>
/// A human decision on an automatic item verdict: confirmed (<see cref="HumanDisagreed"/> false) or overridden (true).
/// Every review of a call yields one of these per rubric item.
/// </summary>
public sealed record ReviewedVerdict(string CallId, string AgentId, DateTimeOffset ReviewedAt, VerdictFeatures Features, bool HumanDisagreed);

/// <summary>
/// Smoothed disagreement rate of an agent from earlier reviews: (overturned + prior·rate) / (reviewed + prior),
/// so a new agent starts at the floor-wide rate instead of 0 or 1.
/// </summary>
public static class AgentHistory
{
    public const double PriorWeight = 20;

    public static double DisagreementRate(int reviewed, int overturned, double floorRate) =>
        (overturned + PriorWeight * floorRate) / (reviewed + PriorWeight);
}
