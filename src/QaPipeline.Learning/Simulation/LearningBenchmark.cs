using System.Diagnostics;
using QaPipeline.Learning.Model;
using QaPipeline.Learning.Ranking;
using QaPipeline.Learning.Reviews;

namespace QaPipeline.Learning.Simulation;

/// <summary>How one ordering of the held-out queue surfaces the verdicts reviewers overturned.</summary>
public sealed record OrderingFigures(
    string Ordering,
    double? Auc,
    double? PrecisionAtDailyCapacity,
    double? FoundInFirstTenPercent,
    double? DepthToFindHalf);

/// <summary>One retraining round of the loop.</summary>
public sealed record RetrainRound(int ReviewsAvailable, RetrainStatus Status, string Reason, string? CandidateVersion, string? CurrentVersion, double TrainingSeconds);

public sealed record LearningBenchmarkResult(
    SimulationSettings Settings,
    int Reviews,
    double OverturnRate,
    IReadOnlyList<RetrainRound> Rounds,
    int HeldOutReviews,
    int HeldOutOverturned,
    int DailyCapacity,
    string QueueOrderedBy,
    IReadOnlyList<OrderingFigures> Orderings);

/// <summary>
/// The whole learning loop on a simulated history, as the pipeline will run it: retrain when two thirds of the days are
/// reviewed, retrain again at the end (promote or keep), then re-rank the newest, held-out reviews with
/// <see cref="ReviewPriority"/> and compare with rule-based and random order on the same queue.
/// </summary>
public static class LearningBenchmark
{
    public const int RandomOrderings = 200;

    public static LearningBenchmarkResult Run(SimulationSettings settings, LearningOptions options, string registryFolder)
    {
        var history = ReviewHistorySimulator.Generate(settings).OrderBy(r => r.ReviewedAt).ToList();
        var registry = new ModelRegistry(registryFolder);
        var rounds = new List<RetrainRound>();

        var cutDay = settings.FirstDay.AddDays(settings.Days * 2 / 3);
        var cut = new DateTimeOffset(cutDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        foreach (var available in new[] { history.Where(r => r.ReviewedAt < cut).ToList(), history })
        {
            var watch = Stopwatch.StartNew();
            var now = available[^1].ReviewedAt.AddHours(12);
            var outcome = Retraining.RetrainIfDue(available, registry, options, now);
            rounds.Add(new RetrainRound(available.Count, outcome.Status, outcome.Reason, outcome.Candidate?.Version, outcome.Current?.Version, watch.Elapsed.TotalSeconds));
        }

        // The newest reviews, never trained on by any registered model: the queue we re-rank.
        var heldOutCount = Math.Max(1, (int)Math.Round(history.Count * options.HeldOutShare));
        var heldOut = history.Skip(history.Count - heldOutCount).ToList();
        var queue = heldOut.Select(r => new QueuedVerdict(r.CallId, r.AgentId, r.Features)).ToList();
        var label = new Dictionary<QueuedVerdict, ReviewedVerdict>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < queue.Count; i++) label[queue[i]] = heldOut[i];

        var priority = new ReviewPriority(registry, options);
        var learned = priority.Rank(queue, history.Count);
        var ruleBased = priority.Rank(queue, labelledReviews: 0);

        var orderings = new List<OrderingFigures>
        {
            Figures(learned.Source == PrioritySource.LearnedModel ? "learned" : "learned (unavailable: rule-based)", learned, label, options.DailyCapacity),
            Figures("rule_based", ruleBased, label, options.DailyCapacity),
            RandomFigures(heldOut, options.DailyCapacity, settings.Seed),
        };
        return new LearningBenchmarkResult(settings, history.Count, history.Count(r => r.HumanDisagreed) / (double)history.Count,
            rounds, heldOut.Count, heldOut.Count(r => r.HumanDisagreed), options.DailyCapacity, learned.Reason, orderings);
    }

    private static OrderingFigures Figures(string name, RankedQueue queue, IReadOnlyDictionary<QueuedVerdict, ReviewedVerdict> label, int capacity)
    {
        var reviews = queue.Verdicts.Select(v => label[v.Verdict]).ToList();
        var scores = queue.Verdicts.Select(v => v.Priority).ToList();
        var evaluation = Retraining.Evaluate(scores, reviews, capacity);
        var depth = RankingQuality.DepthToFindHalf(reviews.Select(r => r.HumanDisagreed).ToList());
        return new OrderingFigures(name, evaluation.Auc, evaluation.PrecisionAtDailyCapacity, RankingQuality.FoundInFirst(reviews.Select(r => r.HumanDisagreed).ToList(), 0.10), depth);
    }

    /// <summary>Random order, averaged over <see cref="RandomOrderings"/> seeded shuffles, so its figures are expectations, not one lucky draw.</summary>
    private static OrderingFigures RandomFigures(IReadOnlyList<ReviewedVerdict> heldOut, int capacity, int seed)
    {
        var random = new Random(seed ^ 0x5EED);
        double auc = 0, precision = 0, found = 0, depth = 0;
        for (var t = 0; t < RandomOrderings; t++)
        {
            var scores = heldOut.Select(_ => random.NextDouble()).ToList();
            var e = Retraining.Evaluate(scores, heldOut, capacity);
            var order = Enumerable.Range(0, heldOut.Count).OrderByDescending(i => scores[i]).Select(i => heldOut[i].HumanDisagreed).ToList();
            auc += e.Auc ?? 0.5;
            precision += e.PrecisionAtDailyCapacity ?? 0;
            found += e.FoundInFirstTenPercent ?? 0;
            depth += RankingQuality.DepthToFindHalf(order) ?? 1;
        }
        return new OrderingFigures("random", auc / RandomOrderings, precision / RandomOrderings, found / RandomOrderings, depth / RandomOrderings);
    }
}
