using QaPipeline.Learning.Model;
using QaPipeline.Learning.Ranking;
using QaPipeline.Learning.Reviews;
using QaPipeline.Learning.Simulation;

namespace QaPipeline.Learning.Tests.Ranking;

public sealed class ReviewPriorityTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"qa-priority-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static QueuedVerdict Queued(string call, string item, double confidence, double similarity, string verdict = "fail") =>
        new(call, "agent-001", new VerdictFeatures(item, verdict, similarity, confidence, 0.5, 0, 2, 0.1, "2026.2"));

    [Fact]
    public void Below_the_minimum_reviews_the_rule_based_priority_orders_the_queue_and_says_why()
    {
        var priority = new ReviewPriority(new ModelRegistry(_folder), new LearningOptions { MinimumReviews = 1000 });
        var queue = new[]
        {
            Queued("c1", "greeting.opening", confidence: 0.95, similarity: 0.1),
            Queued("c2", "courtesy.empathy", confidence: 0.35, similarity: 0.3),
            Queued("c3", "closing.farewell", confidence: 0.9, similarity: 0.68),
        };
        var ranked = priority.Rank(queue, labelledReviews: 120);
        Assert.Equal(PrioritySource.RuleBased, ranked.Source);
        Assert.Equal("rule-based priority: 120 labelled reviews, fewer than the 1000 a learned ranking needs", ranked.Reason);
        Assert.Equal(["c2", "c3", "c1"], ranked.Verdicts.Select(v => v.Verdict.CallId));
        Assert.Equal([1, 2, 3], ranked.Verdicts.Select(v => v.Rank));
        Assert.True(ranked.Verdicts[0].FlaggedBeyondSample);
        Assert.False(ranked.Verdicts[2].FlaggedBeyondSample);
    }

    [Fact]
    public void Enough_reviews_but_no_promoted_model_still_falls_back_with_a_reason()
    {
        var priority = new ReviewPriority(new ModelRegistry(_folder), new LearningOptions { MinimumReviews = 10 });
        var ranked = priority.Rank([Queued("c1", "greeting.opening", 0.9, 0.9)], labelledReviews: 5000);
        Assert.Equal(PrioritySource.RuleBased, ranked.Source);
        Assert.Contains("no model has been trained and promoted yet", ranked.Reason);
    }

    [Fact]
    public void With_a_promoted_model_the_queue_is_ordered_by_predicted_probability_of_being_overturned()
    {
        var options = new LearningOptions { MinimumReviews = 1000 };
        var registry = new ModelRegistry(_folder);
        var history = ReviewHistorySimulator.Generate(new SimulationSettings { Days = 12, ReviewedCallsPerDay = 10 });
        Assert.Equal(RetrainStatus.Promoted, Retraining.RetrainIfDue(history, registry, options, DateTimeOffset.UnixEpoch).Status);

        var queue = history.TakeLast(200).Select(r => new QueuedVerdict(r.CallId, r.AgentId, r.Features)).ToList();
        var ranked = new ReviewPriority(registry, options).Rank(queue, history.Count);
        Assert.Equal(PrioritySource.LearnedModel, ranked.Source);
        Assert.Equal("v0001", ranked.ModelVersion);
        Assert.StartsWith("learned model v0001", ranked.Reason);
        Assert.Equal(200, ranked.Verdicts.Count);
        Assert.Equal(ranked.Verdicts.Select(v => v.Priority).OrderByDescending(p => p), ranked.Verdicts.Select(v => v.Priority));
        Assert.All(ranked.Verdicts, v => Assert.InRange(v.Priority, 0, 1));
        Assert.All(ranked.Verdicts, v => Assert.Equal(v.Priority >= options.FlagThreshold, v.FlaggedBeyondSample));
    }
}
