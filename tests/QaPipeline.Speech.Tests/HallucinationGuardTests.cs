namespace QaPipeline.Speech.Tests;

public sealed class HallucinationGuardTests
{
    private readonly HallucinationGuard _guard = new();

    [Theory]
    [InlineData("[BLANK_AUDIO]")]
    [InlineData(" [ Silence ] ")]
    [InlineData("(music)")]
    [InlineData("（音乐）")]
    [InlineData("【掌声】")]
    [InlineData("♪ ♪")]
    [InlineData("*applause*")]
    [InlineData("[BLANK_AUDIO] ...")]
    public void Non_speech_markers_are_dropped(string text)
    {
        var v = _guard.Check(text, 0.9, 0.1);
        Assert.False(v.Keep);
        Assert.Equal("non-speech marker", v.Reason);
    }

    [Fact]
    public void Marker_inside_real_speech_is_removed_and_the_speech_kept()
    {
        var v = _guard.Check("您好 [BLANK_AUDIO] 请问有什么可以帮您", 0.9, 0.1);
        Assert.True(v.Keep);
        Assert.Equal("您好 请问有什么可以帮您", v.Text);
    }

    [Fact]
    public void Text_over_silence_with_high_no_speech_probability_and_low_confidence_is_dropped()
    {
        Assert.Equal("no speech", _guard.Check("谢谢大家", 0.2, 0.8).Reason);
    }

    [Fact]
    public void Confident_text_is_kept_even_when_no_speech_probability_is_high()
    {
        // OpenAI's rule needs both: a quiet "好的" can have a high no-speech probability and still be real.
        Assert.True(_guard.Check("好的", 0.8, 0.8).Keep);
    }

    [Theory]
    [InlineData("字幕由Amara.org社区提供")]
    [InlineData("请不吝点赞 订阅 转发 打赏支持明镜与点点栏目")]
    [InlineData("Thanks for watching!")]
    public void Subtitle_credits_learnt_from_video_are_dropped(string text)
    {
        Assert.Equal("subtitle credit", _guard.Check(text, 0.9, 0.1).Reason);
    }

    [Fact]
    public void Repetition_loop_of_a_short_phrase_is_cut_back_to_two_and_confidence_lowered()
    {
        var v = _guard.Check("好的好的好的好的好的好的好的好的，我帮您查一下", 0.9, 0.1);
        Assert.True(v.Keep);
        Assert.Equal("好的好的，我帮您查一下", v.Text);
        Assert.Equal("repetition collapsed", v.Reason);
        Assert.Equal(0.5, v.ConfidenceFactor);
    }

    [Fact]
    public void Natural_double_acknowledgement_is_left_alone()
    {
        var v = _guard.Check("好的好的，没问题", 0.9, 0.1);
        Assert.Equal("好的好的，没问题", v.Text);
        Assert.Null(v.Reason);
    }

    [Fact]
    public void Numbers_with_repeated_digits_are_not_collapsed()
    {
        Assert.Equal("退款金额是100000元", _guard.Check("退款金额是100000元", 0.9, 0.1).Text);
    }

    [Fact]
    public void Long_sentence_loop_is_dropped_by_compression_ratio()
    {
        var loop = string.Concat(Enumerable.Repeat("我们这边会尽快为您处理这个问题请您耐心等待一下。", 6));
        Assert.True(HallucinationGuard.CompressionRatio(loop) > 2.4);
        Assert.Equal("repetition loop", _guard.Check(loop, 0.9, 0.1).Reason);
    }

    [Fact]
    public void Ordinary_sentence_compresses_like_language_not_like_a_loop()
    {
        var text = "您好，这里是客服中心，工号三七二，请问有什么可以帮您？我想查询一下上个月的账单明细。";
        Assert.InRange(HallucinationGuard.CompressionRatio(text), 0.5, 2.0);
        Assert.True(_guard.Check(text, 0.9, 0.1).Keep);
    }

    [Fact]
    public void Same_sentence_again_in_the_next_segment_is_a_loop_but_short_acknowledgements_may_repeat()
    {
        Assert.True(HallucinationGuard.RepeatsPrevious("请问还有什么可以帮您？", "请问还有什么可以帮您"));
        Assert.False(HallucinationGuard.RepeatsPrevious("好的。", "好的"));
        Assert.False(HallucinationGuard.RepeatsPrevious("请问还有什么可以帮您", "请问您贵姓"));
    }
}
