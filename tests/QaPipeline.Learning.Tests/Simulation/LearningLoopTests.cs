using QaPipeline.Learning.Model;
using QaPipeline.Learning.Simulation;

namespace QaPipeline.Learning.Tests.Simulation;

public sealed class LearningLoopTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"qa-loop-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Learned_ranking_surfaces_overturned_verdicts_earlier_than_random_order_end_to_end()
    {
        // Train at two thirds of the history, retrain at the end (promote or keep), re-rank the newest held-out reviews.
        var settings = new SimulationSettings { Days = 30, ReviewedCallsPerDay = 10 };
        var options = new LearningOptions { MinimumReviews = 1000, NewReviewsBeforeRetrain = 500, DailyCapacity = 30 };
        var result = LearningBenchmark.Run(settings, options, _folder);

        Assert.Equal(2, result.Rounds.Count);
        Assert.Equal(RetrainStatus.Promoted, result.Rounds[0].Status);
        Assert.Contains(result.Rounds[1].Status, new[] { RetrainStatus.Promoted, RetrainStatus.Kept });
        var registry = new ModelRegistry(_folder);
        Assert.Equal(2, registry.Versions().Count);
        Assert.Equal(result.Rounds[1].CurrentVersion, registry.Current!.Version);
        // Whatever round 2 decided, the model in service is not worse than the other on the shared held-out reviews.
        var second = registry.Versions().Single(v => v.Version == "v0002");
        var (served, other) = second.Promoted ? (second.Evaluation.Auc, second.ChampionOnSameHeldOut!.Auc) : (second.ChampionOnSameHeldOut!.Auc, second.Evaluation.Auc);
        Assert.True(served >= other);

        var learned = result.Orderings.Single(o => o.Ordering == "learned");
        var random = result.Orderings.Single(o => o.Ordering == "random");
        var ruleBased = result.Orderings.Single(o => o.Ordering == "rule_based");
        Assert.InRange(random.FoundInFirstTenPercent!.Value, 0.07, 0.13);
        Assert.True(learned.FoundInFirstTenPercent > 2 * random.FoundInFirstTenPercent,
            $"learned {learned.FoundInFirstTenPercent:F3} vs random {random.FoundInFirstTenPercent:F3}");
        Assert.True(learned.Auc > random.Auc + 0.2);
        Assert.True(learned.PrecisionAtDailyCapacity > random.PrecisionAtDailyCapacity);
        Assert.True(learned.DepthToFindHalf < random.DepthToFindHalf);
        Assert.NotNull(ruleBased.FoundInFirstTenPercent);
    }
}
