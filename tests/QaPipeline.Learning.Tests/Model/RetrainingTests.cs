using QaPipeline.Learning.Model;
using QaPipeline.Learning.Reviews;
using QaPipeline.Learning.Simulation;

namespace QaPipeline.Learning.Tests.Model;

public sealed class RetrainingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"qa-registry-{Guid.NewGuid():N}");
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);
    private static readonly LearningOptions Options = new() { MinimumReviews = 1000, NewReviewsBeforeRetrain = 500, DailyCapacity = 20 };

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static List<ReviewedVerdict> History(int days) =>
        ReviewHistorySimulator.Generate(new SimulationSettings { Days = days, ReviewedCallsPerDay = 10 }).ToList();

    [Fact]
    public void Too_few_reviews_train_nothing_and_say_so()
    {
        var registry = new ModelRegistry(_folder);
        var outcome = Retraining.RetrainIfDue(History(3), registry, Options, Now);
        Assert.Equal(RetrainStatus.NotEnoughReviews, outcome.Status);
        Assert.Contains("540 labelled reviews, fewer than the 1000", outcome.Reason);
        Assert.Empty(registry.Versions());
        Assert.Null(registry.Current);
    }

    [Fact]
    public void A_damaged_registry_file_is_one_line_naming_it()
    {
        var registry = new ModelRegistry(_folder);
        Directory.CreateDirectory(_folder);
        var pointer = Path.Combine(_folder, "current.json");
        File.WriteAllText(pointer, "{\"version\": ");
        var e = Assert.Throws<FormatException>(() => registry.Current);
        Assert.StartsWith($"{pointer}: not a model registry file (", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        File.WriteAllText(pointer, "null");
        Assert.Equal($"{pointer}: not a model registry file (null)", Assert.Throws<FormatException>(() => registry.Current).Message);
    }

    [Fact]
    public void First_model_is_promoted_and_saved_with_its_evaluation()
    {
        var registry = new ModelRegistry(_folder);
        var outcome = Retraining.RetrainIfDue(History(12), registry, Options, Now);
        Assert.Equal(RetrainStatus.Promoted, outcome.Status);
        Assert.Equal("v0001", registry.Current!.Version);
        Assert.True(File.Exists(Path.Combine(_folder, "v0001", "model.zip")));
        var json = File.ReadAllText(Path.Combine(_folder, "v0001", "model.json"));
        Assert.Contains("\"auc\":", json);
        Assert.Contains("\"precision_at_daily_capacity\":", json);
        Assert.InRange(registry.Current.Evaluation.Auc!.Value, 0.7, 1.0);
        Assert.Equal(540, registry.Current.Evaluation.HeldOutReviews);

        // Run again with no new reviews: nothing to do (the recurring job is safe to run twice).
        var again = Retraining.RetrainIfDue(History(12), registry, Options, Now.AddDays(1));
        Assert.Equal(RetrainStatus.NotDue, again.Status);
        Assert.Single(registry.Versions());
    }

    [Fact]
    public void A_worse_model_never_replaces_a_better_one()
    {
        var registry = new ModelRegistry(_folder);
        var history = History(20);
        var firstPart = history.Take(history.Count / 2).ToList();
        Assert.Equal(RetrainStatus.Promoted, Retraining.RetrainIfDue(firstPart, registry, Options, Now).Status);

        // Sabotage the new training data: labels of everything but the newest (held-out) quarter are shuffled, so the
        // candidate learns noise while the held-out reviews keep their true labels.
        var heldOutStart = history.Count - (int)Math.Round(history.Count * Options.HeldOutShare);
        var shuffled = history.Take(heldOutStart).Select(r => r.HumanDisagreed).ToArray();
        new Random(7).Shuffle(shuffled);
        var sabotaged = history.Select((r, i) => i < heldOutStart ? r with { HumanDisagreed = shuffled[i] } : r).ToList();

        var outcome = Retraining.RetrainIfDue(sabotaged, registry, Options, Now.AddDays(10));
        Assert.Equal(RetrainStatus.Kept, outcome.Status);
        Assert.Equal("v0001", registry.Current!.Version);
        var candidate = registry.Versions().Single(v => v.Version == "v0002");
        Assert.False(candidate.Promoted);
        Assert.True(candidate.ChampionOnSameHeldOut!.Auc > candidate.Evaluation.Auc);
        Assert.Contains("kept v0001", candidate.Decision);
    }

    [Fact]
    public void Decision_rule_promotes_only_on_a_better_measurable_result()
    {
        ModelEvaluation E(double? auc, double precision = 0.5) => new(100, 10, auc, 20, precision, 0.3);
        Assert.True(Retraining.Decide(E(0.8), null, null).Promote);
        Assert.True(Retraining.Decide(E(0.81), E(0.80), "v0001").Promote);
        Assert.False(Retraining.Decide(E(0.79), E(0.80), "v0001").Promote);
        Assert.False(Retraining.Decide(E(0.80, 0.5), E(0.80, 0.5), "v0001").Promote);
        Assert.True(Retraining.Decide(E(0.80, 0.6), E(0.80, 0.5), "v0001").Promote);
        Assert.False(Retraining.Decide(E(null), null, null).Promote);
    }
}
