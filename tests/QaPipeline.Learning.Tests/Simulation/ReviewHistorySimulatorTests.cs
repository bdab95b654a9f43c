using QaPipeline.Learning.Simulation;

namespace QaPipeline.Learning.Tests.Simulation;

public class ReviewHistorySimulatorTests
{
    private static readonly SimulationSettings Small = new() { Days = 10, ReviewedCallsPerDay = 8 };

    [Fact]
    public void The_same_seed_gives_the_same_history()
    {
        var a = ReviewHistorySimulator.Generate(Small);
        var b = ReviewHistorySimulator.Generate(Small);
        Assert.Equal(a, b);
        var c = ReviewHistorySimulator.Generate(Small with { Seed = Small.Seed + 1 });
        Assert.NotEqual(a.Select(r => r.HumanDisagreed), c.Select(r => r.HumanDisagreed));
    }

    [Fact]
    public void Every_reviewed_call_has_one_verdict_per_rubric_item()
    {
        var history = ReviewHistorySimulator.Generate(Small);
        Assert.Equal(10 * 8 * 18, history.Count);
        Assert.All(history.GroupBy(r => r.CallId), call =>
            Assert.Equal(ReviewHistorySimulator.RubricItems.Order(), call.Select(r => r.Features.ItemId).Order()));
        Assert.Contains("security.pii_disclosure", history.Select(r => r.Features.ItemId));
    }

    [Fact]
    public void History_has_asr_errors_rubric_versions_and_a_minority_of_overturned_verdicts()
    {
        var history = ReviewHistorySimulator.Generate(new SimulationSettings { Days = 30, ReviewedCallsPerDay = 10 });
        var overturned = history.Count(r => r.HumanDisagreed) / (double)history.Count;
        Assert.InRange(overturned, 0.05, 0.25);
        Assert.Contains(history, r => r.Features.DecidingWordsAsrConfidence < 0.6);
        Assert.Equal(["2026.1", "2026.2"], history.Select(r => r.Features.RubricVersion).Distinct().Order());
        // Low ASR confidence must carry signal: verdicts resting on misheard words are overturned far more often.
        var low = history.Where(r => r.Features.DecidingWordsAsrConfidence < 0.6).ToList();
        var high = history.Where(r => r.Features.DecidingWordsAsrConfidence >= 0.8 && r.Features.AutomaticVerdict != "na").ToList();
        Assert.True(low.Average(r => r.HumanDisagreed ? 1.0 : 0) > 3 * high.Average(r => r.HumanDisagreed ? 1.0 : 0));
    }

    [Fact]
    public void Agent_history_uses_only_earlier_reviews()
    {
        var history = ReviewHistorySimulator.Generate(Small);
        // An agent's first reviewed call sees only the floor-wide prior.
        var first = history.GroupBy(r => r.AgentId).Select(g => g.First());
        Assert.All(first, r => Assert.Equal(0.1, r.Features.AgentDisagreementRate, 4));
    }
}
