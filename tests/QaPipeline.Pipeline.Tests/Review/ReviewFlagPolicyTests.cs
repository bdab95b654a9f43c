using QaPipeline.Centre;
using QaPipeline.Pipeline.Hosting;
using QaPipeline.Pipeline.Review;

using QaPipeline.Storage;
using QaPipeline.Pipeline.Flags;

namespace QaPipeline.Pipeline.Tests.Review;

public sealed class ReviewFlagPolicyTests
{
    private static readonly DateTime Monday = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);

    private static FlagInput Call(double score = 95, bool fatal = false, string[]? review = null, double? confidence = 0.9,
        string? agent = "A01", string hash = "h", long flaggedBefore = 5) =>
        new(score, 100, fatal, review ?? [], confidence, agent, Monday, hash, flaggedBefore);

    [Fact]
    public void Fatal_review_items_low_score_and_low_confidence_each_raise_their_own_flag()
    {
        var policy = new ReviewFlagPolicy(new ReviewFlagOptions());
        var flags = policy.Decide(Call(score: 0, fatal: true, review: ["greeting.opening", "closing.farewell"], confidence: 0.31));
        Assert.Equal([FlagReason.Fatal, FlagReason.ReviewItem, FlagReason.LowScore, FlagReason.LowAsrConfidence], flags.Select(f => f.Reason));
        Assert.Equal("greeting.opening,closing.farewell", flags[1].Detail);
        Assert.Equal("0 < 80", flags[2].Detail);
    }

    [Fact]
    public void A_clean_call_of_an_agent_already_reviewed_this_period_is_flagged_only_if_drawn()
    {
        var policy = new ReviewFlagPolicy(new ReviewFlagOptions { SampleRate = 0 });
        Assert.Empty(policy.Decide(Call(score: 80)));
        var always = new ReviewFlagPolicy(new ReviewFlagOptions { SampleRate = 1 });
        Assert.Equal(FlagReason.RandomSample, Assert.Single(always.Decide(Call())).Reason);
    }

    [Fact]
    public void Every_agent_gets_a_review_in_each_period_even_when_scores_look_fine()
    {
        var policy = new ReviewFlagPolicy(new ReviewFlagOptions { SampleRate = 0, MinimumPerAgent = 1 });
        var flag = Assert.Single(policy.Decide(Call(flaggedBefore: 0)));
        Assert.Equal(FlagReason.RandomSample, flag.Reason);
        Assert.Contains("2026-W10", flag.Detail);
    }

    [Fact]
    public void Random_sample_is_reproducible_and_close_to_the_configured_rate_per_agent()
    {
        var policy = new ReviewFlagPolicy(new ReviewFlagOptions { SampleRate = 0.05 });
        int Drawn(string agent) => Enumerable.Range(0, 20000).Count(i => policy.Decide(Call(agent: agent, hash: $"call{i}")).Count > 0);
        var a = Drawn("A01");
        Assert.Equal(a, Drawn("A01"));
        Assert.InRange(a, 850, 1150); // 5 % of 20,000 = 1,000; ±4.9 standard deviations
        Assert.InRange(Drawn("A02"), 850, 1150);
        Assert.NotEqual(policy.SampleDraw("A01", "2026-W10", "x"), policy.SampleDraw("A02", "2026-W10", "x"));
        var reseeded = new ReviewFlagPolicy(new ReviewFlagOptions { SampleRate = 0.05, Seed = "other" });
        Assert.NotEqual(policy.SampleDraw("A01", "2026-W10", "x"), reseeded.SampleDraw("A01", "2026-W10", "x"));
    }

    [Fact]
    public void Calls_without_an_agent_are_never_sampled()
    {
        var policy = new ReviewFlagPolicy(new ReviewFlagOptions { SampleRate = 1 });
        Assert.Empty(policy.Decide(Call(agent: null, flaggedBefore: 0)));
    }

    [Theory]
    [InlineData(SamplePeriod.Day, "2026-03-04", "2026-03-04", "2026-03-05")]
    [InlineData(SamplePeriod.Week, "2026-W10", "2026-03-02", "2026-03-09")]
    [InlineData(SamplePeriod.Month, "2026-03", "2026-03-01", "2026-04-01")]
    public void Sampling_periods_are_days_iso_weeks_or_months(SamplePeriod period, string key, string from, string to)
    {
        var policy = new ReviewFlagPolicy(new ReviewFlagOptions { Period = period });
        var wednesday = new DateTime(2026, 3, 4, 23, 0, 0, DateTimeKind.Utc);
        Assert.Equal(key, policy.PeriodKey(wednesday));
        Assert.Equal((DateTime.Parse(from), DateTime.Parse(to)), policy.PeriodBounds(wednesday) is var (f, t) ? (f, t) : default);
    }
}
