using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Tests.Matching;

public class PhraseGapTests
{
    private static PhraseMatch? Find(string text, string phrase, double min = 0.85) =>
        PhraseMatcher.Find(SpeechText.Parse(text), new PhrasePattern(phrase), min);

    [Theory]
    [InlineData("小妹核实一下")]
    [InlineData("小妹这边帮您核实")]
    [InlineData("小妹马上为您去核实")]
    public void A_gap_takes_any_words_between_the_parts_for_free(string text)
    {
        Assert.Equal(1.0, Find(text, "小妹…核实")?.Similarity);
    }

    [Fact]
    public void A_gap_is_bounded_so_distant_words_do_not_pair_up()
    {
        Assert.Null(Find("小妹已经备注好了您的订单明天送到请您注意核实", "小妹…核实"));
    }

    [Fact]
    public void Three_dots_are_the_same_gap_and_the_match_points_at_both_parts()
    {
        var text = SpeechText.Parse("好的，小妹这边帮您核实。");
        var m = PhraseMatcher.Find(text, new PhrasePattern("小妹...核实"), 0.85)!.Value;
        Assert.Equal("小妹这边帮您核实", text.OriginalSpan(m.Start, m.End));
    }

    [Fact]
    public void Homophones_still_match_on_both_sides_of_a_gap()
    {
        Assert.True(Find("小妹这边帮您合实", "小妹…核实")?.Similarity >= 0.9);
    }
}

public class PhraseFillerTests
{
    [Fact]
    public void A_particle_that_is_the_point_of_a_short_phrase_is_kept()
    {
        // 吧 is a filler (free to skip) in longer phrases, but 对吧 without it would be just 对.
        Assert.Equal(2, new PhrasePattern("对吧").Length);
        Assert.Null(PhraseMatcher.Find(SpeechText.Parse("对的，已经发货了"), new PhrasePattern("对吧"), 0.85));
        Assert.Equal(3, new PhrasePattern("不知道呢").Length);
    }
}
