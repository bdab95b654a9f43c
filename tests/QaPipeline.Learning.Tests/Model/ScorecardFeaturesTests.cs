using QaPipeline.Learning.Reviews;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Learning.Tests.Model;

public class ScorecardFeaturesTests
{
    [Fact]
    public void Features_come_from_the_item_verdict_and_the_acoustic_facts()
    {
        var item = new ItemVerdict("closing.more_help", "service_language", Verdict.Fail, 2, false, "phrase not found",
            [new Evidence(SpeakerRole.Agent, 54.0, 56.0, "还有别的吗", 20, "还有什么可以帮您", 0.62)], Strength: 0.62, Confidence: 0.41);
        var card = new Scorecard("zh-CN", "2026.2", 98, 100, 80, false, [item], []);
        var facts = new AcousticFacts(60.0, 2, new Dictionary<string, SpeakerActivity>(),
            [new TimeSpanS(10, 13.5), new TimeSpanS(30, 42)], [new Overlap(5, 6, "agent"), new Overlap(20, 21, "customer")],
            new Dictionary<string, double>());

        var f = ScorecardFeatures.For(card, item, transcript: null, facts, agentDisagreementRate: 0.12);

        Assert.Equal(new VerdictFeatures("closing.more_help", "fail", 0.62, 0.41, 0.9, 2, 12, 0.12, "2026.2"), f);
    }
}
