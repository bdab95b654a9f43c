using QaPipeline.Learning.Reviews;

namespace QaPipeline.Learning.Model;

/// <summary>Tunable limits of the learning loop.</summary>
public sealed record LearningOptions
{
    /// <summary>Below this many labelled reviews no model is trusted and the queue uses the rule-based priority.</summary>
    public int MinimumReviews { get; init; } = 1000;

    /// <summary>Retrain only once this many reviews arrived after the reviews the current model was trained on.</summary>
    public int NewReviewsBeforeRetrain { get; init; } = 500;

    /// <summary>The latest share of reviews (by review time) held out for evaluation, never trained on.</summary>
    public double HeldOutShare { get; init; } = 0.25;

    /// <summary>Verdicts the review team can check per day; precision is measured at this depth.</summary>
    public int DailyCapacity { get; init; } = 40;

    /// <summary>Verdicts at or above this predicted probability of being overturned are flagged for review beyond the random sample.</summary>
    public double FlagThreshold { get; init; } = 0.5;

    public int Seed { get; init; } = 1;
}

public enum RetrainStatus { NotEnoughReviews, NotDue, Promoted, Kept }

/// <summary>What one retraining run did, with a sentence saying why.</summary>
public sealed record RetrainOutcome(RetrainStatus Status, string Reason, ModelCard? Candidate, ModelCard? Current);

/// <summary>
/// The learning loop: train on older reviews, evaluate on the newest held-out reviews, and promote the new model only
/// if it beats the model in service on those same held-out reviews. Comparing on the same reviews matters: AUCs taken
/// on different held-out sets are not comparable, and a model must never replace a better one.
/// </summary>
/// <remarks>
/// Decoupled from Hangfire on purpose: the pipeline schedules <see cref="RetrainIfDue"/> as a recurring job
/// (e.g. nightly, <c>RecurringJob.AddOrUpdate("learning.retrain", ...)</c>) whose body loads the labelled reviews from
/// the database and calls it with the registry folder. The method is safe to run twice: a second run finds too few
/// new reviews and returns <see cref="RetrainStatus.NotDue"/>.
/// </remarks>
public static class Retraining
{
    public static RetrainOutcome RetrainIfDue(IReadOnlyList<ReviewedVerdict> reviews, ModelRegistry registry, LearningOptions options, DateTimeOffset now)
    {
        var current = registry.Current;
        if (reviews.Count < options.MinimumReviews)
            return new RetrainOutcome(RetrainStatus.NotEnoughReviews,
                $"{reviews.Count} labelled reviews, fewer than the {options.MinimumReviews} needed to train; the queue keeps the rule-based priority",
                null, current);

        var ordered = reviews.OrderBy(r => r.ReviewedAt).ThenBy(r => r.CallId, StringComparer.Ordinal).ToList();
        // Due when enough reviews arrived since the last run, promoted or not (a kept candidate must not retrigger at once).
        if (registry.Versions().LastOrDefault() is { } last)
        {
            var fresh = ordered.Count(r => r.ReviewedAt > last.ReviewsUpTo);
            if (fresh < options.NewReviewsBeforeRetrain)
                return new RetrainOutcome(RetrainStatus.NotDue,
                    $"{fresh} reviews since model {last.Version} was built, fewer than the {options.NewReviewsBeforeRetrain} that trigger retraining",
                    null, current);
        }

        // Hold out the newest reviews: the model is judged on the future it will face, not on a shuffled past.
        var heldOutCount = Math.Max(1, (int)Math.Round(ordered.Count * options.HeldOutShare));
        var training = ordered.Take(ordered.Count - heldOutCount).ToList();
        var heldOut = ordered.Skip(ordered.Count - heldOutCount).ToList();

        var candidate = DisagreementModel.Train(training, options.Seed);
        var evaluation = Evaluate(candidate, heldOut, options.DailyCapacity);
        ModelEvaluation? championEvaluation = current is null ? null : Evaluate(registry.Load(current.Version), heldOut, options.DailyCapacity);

        var (promote, decision) = Decide(evaluation, championEvaluation, current?.Version);
        var card = new ModelCard(registry.NextVersion(), now, training.Count, training[^1].ReviewedAt, ordered[^1].ReviewedAt, evaluation,
            current?.Version, championEvaluation, promote, decision);
        registry.Register(candidate, card);
        return new RetrainOutcome(promote ? RetrainStatus.Promoted : RetrainStatus.Kept, decision, card, promote ? card : current);
    }

    /// <summary>Measures a model on held-out reviews: AUC, precision at the daily capacity, share of overturned verdicts in the first 10%.</summary>
    public static ModelEvaluation Evaluate(DisagreementModel model, IReadOnlyList<ReviewedVerdict> heldOut, int dailyCapacity)
    {
        var scores = model.PredictDisagreement(heldOut.Select(r => r.Features).ToList());
        return Evaluate(scores, heldOut, dailyCapacity);
    }

    public static ModelEvaluation Evaluate(IReadOnlyList<double> scores, IReadOnlyList<ReviewedVerdict> heldOut, int dailyCapacity)
    {
        var labels = heldOut.Select(r => r.HumanDisagreed).ToList();
        var queueOrder = Enumerable.Range(0, heldOut.Count).OrderByDescending(i => scores[i]).Select(i => labels[i]).ToList();
        var daily = heldOut.Select((r, i) => (DateOnly.FromDateTime(r.ReviewedAt.UtcDateTime), scores[i], r.HumanDisagreed)).ToList();
        return new ModelEvaluation(heldOut.Count, labels.Count(l => l), RankingQuality.Auc(scores, labels), dailyCapacity,
            RankingQuality.PrecisionAtDailyCapacity(daily, dailyCapacity), RankingQuality.FoundInFirst(queueOrder, 0.10));
    }

    /// <summary>Promote on a higher held-out AUC; on an equal AUC, on a higher precision at capacity; never on a worse or unmeasurable one.</summary>
    internal static (bool Promote, string Decision) Decide(ModelEvaluation candidate, ModelEvaluation? champion, string? championVersion)
    {
        if (candidate.Auc is not { } auc)
            return (false, "held-out reviews contain only one outcome, so the new model cannot be measured; keeping the current model");
        if (champion is null)
            return (true, $"first model: held-out AUC {auc:F3}, precision at capacity {candidate.PrecisionAtDailyCapacity:F3}");
        var championAuc = champion.Auc ?? double.NegativeInfinity;
        if (auc > championAuc || (auc == championAuc && (candidate.PrecisionAtDailyCapacity ?? 0) > (champion.PrecisionAtDailyCapacity ?? 0)))
            return (true, $"promoted: held-out AUC {auc:F3} beats {championVersion}'s {championAuc:F3} on the same reviews");
        return (false, $"kept {championVersion}: its AUC {championAuc:F3} on the same held-out reviews is not worse than the new model's {auc:F3}");
    }
}
