using QaPipeline.Learning.Model;
using QaPipeline.Learning.Reviews;

namespace QaPipeline.Learning.Ranking;

public enum PrioritySource { RuleBased, LearnedModel }

/// <summary>One verdict's place in the queue. <see cref="Priority"/> is the predicted probability of being overturned
/// for the learned model, a heuristic score for the rule-based priority; only its order matters.</summary>
public sealed record RankedVerdict(int Rank, QueuedVerdict Verdict, double Priority, bool FlaggedBeyondSample);

/// <summary>The queue, most likely wrong first, with what ordered it and why.</summary>
public sealed record RankedQueue(PrioritySource Source, string Reason, string? ModelVersion, IReadOnlyList<RankedVerdict> Verdicts);

/// <summary>
/// Orders the review queue so people see first the automatic verdicts most likely to be wrong. Uses the promoted model
/// when there is one and enough labelled reviews exist; otherwise the rule-based priority, and says so.
/// </summary>
/// <remarks>One instance serves many requests: the model in service is loaded once per version and reused until
/// <c>current.json</c> names another one.</remarks>
public sealed class ReviewPriority(ModelRegistry registry, LearningOptions options)
{
    private readonly Lock _gate = new();
    private (string Version, DisagreementModel Model)? _loaded;

    public ReviewPriority(string registryFolder, LearningOptions options) : this(new ModelRegistry(registryFolder), options) { }

    public LearningOptions Options => options;

    public bool HasPromotedModel => registry.Current is not null;

    /// <summary>The promoted model's probability that a reviewer overturns each verdict, or null while no model is in service.</summary>
    public (string Version, IReadOnlyList<double> Probabilities)? PredictWithPromotedModel(IReadOnlyList<VerdictFeatures> verdicts)
    {
        if (registry.Current is not { } current) return null;
        return (current.Version, Predict(current.Version, verdicts));
    }

    private IReadOnlyList<double> Predict(string version, IReadOnlyList<VerdictFeatures> verdicts)
    {
        lock (_gate)
        {
            if (_loaded is not { } loaded || loaded.Version != version)
                _loaded = loaded = (version, registry.Load(version));
            return loaded.Model.PredictDisagreement(verdicts);
        }
    }

    public RankedQueue Rank(IReadOnlyList<QueuedVerdict> queue, int labelledReviews)
    {
        if (labelledReviews < options.MinimumReviews)
            return RuleBased(queue, $"rule-based priority: {labelledReviews} labelled reviews, fewer than the {options.MinimumReviews} a learned ranking needs");
        if (registry.Current is not { } current)
            return RuleBased(queue, "rule-based priority: no model has been trained and promoted yet");

        var probabilities = Predict(current.Version, queue.Select(q => q.Features).ToList());
        var ranked = Order(queue, probabilities, p => p >= options.FlagThreshold);
        return new RankedQueue(PrioritySource.LearnedModel,
            $"learned model {current.Version} (held-out AUC {current.Evaluation.Auc:F3}, precision at {current.Evaluation.DailyCapacity}/day {current.Evaluation.PrecisionAtDailyCapacity:F3})",
            current.Version, ranked);
    }

    private static RankedQueue RuleBased(IReadOnlyList<QueuedVerdict> queue, string reason)
    {
        var scores = queue.Select(q => RuleBasedPriority.Score(q.Features)).ToList();
        return new RankedQueue(PrioritySource.RuleBased, reason, null, Order(queue, scores, s => s >= RuleBasedPriority.FlagAt));
    }

    private static List<RankedVerdict> Order(IReadOnlyList<QueuedVerdict> queue, IReadOnlyList<double> scores, Func<double, bool> flag) =>
        Enumerable.Range(0, queue.Count)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => queue[i].CallId, StringComparer.Ordinal)
            .ThenBy(i => queue[i].Features.ItemId, StringComparer.Ordinal)
            .Select((i, rank) => new RankedVerdict(rank + 1, queue[i], scores[i], flag(scores[i])))
            .ToList();
}

/// <summary>
/// The priority the queue uses before there are enough reviews to learn from: what the scorer already considers
/// uncertain. Items the scorer itself sent to review come first, then verdicts resting on words the ASR was unsure of,
/// then verdicts decided by a rule match near the match threshold.
/// </summary>
public static class RuleBasedPriority
{
    /// <summary>Similarity at which a phrase rule counts as matched; matches close to it are the shaky ones.</summary>
    public const double MatchThreshold = 0.7;

    /// <summary>Scores at or above this are flagged beyond the random sample (roughly: ASR confidence below 0.5, or a review verdict).</summary>
    public const double FlagAt = 0.5;

    public static double Score(VerdictFeatures f)
    {
        var review = f.AutomaticVerdict == "review" ? 1.0 : 0.0;
        var asrDoubt = 1 - Math.Clamp(f.DecidingWordsAsrConfidence, 0, 1);
        var nearThreshold = 1 - Math.Min(1, Math.Abs(f.RuleMatchSimilarity - MatchThreshold) / 0.2);
        return review + asrDoubt + 0.3 * nearThreshold;
    }
}
