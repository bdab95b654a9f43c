using QaPipeline.Scoring.Matching;
using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Tests.Matching;

public class PhraseMatcherTests
{
    private static double? Similarity(string text, string phrase, double min = 0.5) =>
        PhraseMatcher.Find(SpeechText.Parse(text), new PhrasePattern(phrase), min)?.Similarity;

    [Fact]
    public void Exact_phrase_inside_longer_speech_matches_fully()
    {
        Assert.Equal(1.0, Similarity("好的，请您稍等一下，我帮您查询", "请您稍等"));
    }

    [Theory]
    [InlineData("请您烧等", "请您稍等")]        // 稍/烧
    [InlineData("感谢您的来电在见", "再见")]     // 再见/在见
    [InlineData("請您稍等", "请您稍等")]        // traditional
    public void Homophone_and_traditional_ASR_errors_still_match_above_the_default_threshold(string heard, string phrase)
    {
        Assert.True(Similarity(heard, phrase) >= 0.85, $"{heard} vs {phrase}: {Similarity(heard, phrase)}");
    }

    [Fact]
    public void Fillers_inside_a_phrase_cost_nothing()
    {
        Assert.Equal(1.0, Similarity("您好啊欢迎嗯来电", "您好欢迎来电"));
    }

    [Fact]
    public void One_extra_word_costs_less_than_a_missing_one()
    {
        var extra = Similarity("您好欢迎您来电", "您好欢迎来电")!.Value;
        var missing = Similarity("您好欢来电", "您好欢迎来电")!.Value;
        Assert.True(extra > missing);
        Assert.True(extra >= 0.85);
    }

    [Fact]
    public void Asking_for_patience_about_a_delivery_is_far_from_thanking_for_the_wait()
    {
        Assert.Null(Similarity("请您耐心等待快递明天就到", "感谢您的耐心等待", 0.75));
        Assert.Null(Similarity("请您耐心等待快递明天就到", "让您久等了", 0.75));
    }

    [Fact]
    public void Match_span_points_at_the_words_in_the_original_text()
    {
        var text = SpeechText.Parse("好的，請您稍等。");
        var m = PhraseMatcher.Find(text, new PhrasePattern("请您稍等"), 0.85)!.Value;
        Assert.Equal("請您稍等", text.OriginalSpan(m.Start, m.End));
    }

    [Fact]
    public void English_phrases_match_word_by_word()
    {
        Assert.Equal(1.0, Similarity("OK, thank you for holding, sir.", "thank you for holding"));
        Assert.True(Similarity("thanks for holding", "thank you for holding", 0.5) < 0.8);
    }

    [Theory]
    [InlineData("资料都在后台查看，是不是很方便", "查看是")]     // the look and the "is" belong to two clauses
    [InlineData("有空可以联系，小王会去取件", "联系小王")]
    [InlineData("We can look, into it tomorrow", "look into")]
    public void A_phrase_part_does_not_run_across_a_written_clause_mark(string text, string phrase)
    {
        Assert.Null(Similarity(text, phrase, 0.85));
        // The same words without the mark (ASR text often has none) still match.
        Assert.Equal(1.0, Similarity(text.Replace("，", "").Replace(",", ""), phrase));
    }

    [Fact]
    public void A_gap_may_span_clauses_and_marks_around_a_filler_are_hesitation()
    {
        Assert.Equal(1.0, Similarity("小王这边，马上去核实", "小王…核实"));
        Assert.Equal(1.0, Similarity("let me just, uh, check that", "let me just check"));
    }

    [Fact]
    public void A_phrase_written_with_a_mark_accepts_one_there()
    {
        Assert.Equal(1.0, Similarity("Right, the blue jumper then", "right, the"));
        Assert.Equal(1.0, Similarity("Right the blue jumper then", "right, the"));
    }

    [Fact]
    public void A_homophone_alignment_does_not_cross_a_clause_mark_either()
    {
        // 烧/稍: only the alignment finds this; the mark inside it makes it a different clause.
        Assert.Null(Similarity("先别烧，等一下", "稍等一下", 0.85));
        Assert.True(Similarity("先别烧等一下", "稍等一下", 0.85) >= 0.85);
    }

    [Fact]
    public void A_two_character_question_tag_needs_its_head_written_only_its_particle_may_be_heard()
    {
        Assert.Null(Similarity("这个图片格式吗", "是吗", 0.9));   // 式/是: a word ending in the syllable, not the tag
        Assert.Equal(0.95, Similarity("真的是嘛", "是吗", 0.9));    // 嘛/吗: the particle heard
        Assert.True(Similarity("请您烧等", "请您稍等", 0.85) >= 0.85); // longer phrases still match by sound
    }
}
