using QaPipeline.Scoring.Scorecards;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Tests.Scorecards;

public class ScorecardJsonTests
{
    private static readonly Scorecard Card = new("zh-service", "2026.3", 85.5, 100, 80, false,
    [
        new ItemVerdict("greeting.opening", "opening", Verdict.Pass, 0, false, "说了问候语",
            [new Evidence(SpeakerRole.Agent, 0.4, 3.0, "您好，欢迎来电", 0, "您好", 0.93)], null, 0.93, 0.81),
        new ItemVerdict("closing.thanks", "closing", Verdict.Fail, 5, true, "no thanks \"quoted\"", [],
            new SearchWindow(SpeakerRole.Agent, 3, 7, null, 42.25), 0.0, null),
        new ItemVerdict("hold.silence", "process", Verdict.Review, 0, false, "untimed",
            [new Evidence(SpeakerRole.Customer, null, null, "嗯", 2)]),
        new ItemVerdict("na.item", "process", Verdict.Na, 0, false, "", []),
    ], ["low_asr_confidence"]);

    [Fact]
    public void Parse_reads_back_exactly_what_Write_produced()
    {
        var back = ScorecardJson.Parse(ScorecardJson.Write(Card, callId: "17"));
        Assert.Equal((Card.RubricId, Card.RubricVersion, Card.Score, Card.MaxScore, Card.PassScore, Card.Fatal),
            (back.RubricId, back.RubricVersion, back.Score, back.MaxScore, back.PassScore, back.Fatal));
        Assert.Equal(Card.Flags, back.Flags);
        Assert.Equal(Card.Items.Count, back.Items.Count);
        for (var i = 0; i < Card.Items.Count; i++)
        {
            var (a, b) = (Card.Items[i], back.Items[i]);
            Assert.Equal(a with { Evidence = [] }, b with { Evidence = [] });
            Assert.Equal(a.Evidence, b.Evidence);
        }
        // Written again, the parsed card is byte-identical.
        Assert.Equal(ScorecardJson.Write(Card, indented: true), ScorecardJson.Write(back, indented: true));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"rubric\":\"r\",\"rubric_version\":\"1\",\"score\":1,\"max_score\":1,\"pass_score\":1,\"fatal\":false}")]
    [InlineData("{\"rubric\":\"r\",\"rubric_version\":\"1\",\"score\":1,\"max_score\":1,\"pass_score\":1,\"fatal\":false,\"items\":[{\"id\":\"a\",\"category\":\"c\",\"verdict\":\"maybe\",\"deduction\":0,\"fatal\":false,\"reason\":\"\",\"evidence\":[]}],\"flags\":[]}")]
    public void Malformed_scorecard_json_is_a_format_error(string json) =>
        Assert.Throws<FormatException>(() => ScorecardJson.Parse(json));
}
