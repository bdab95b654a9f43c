using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Tests.TextNormalization;

public class SpeechTextTests
{
    [Fact]
    public void Traditional_characters_are_simplified()
    {
        Assert.Equal("请您稍等我这边核实一下", SpeechText.Parse("請您稍等，我這邊核實一下").Normalized);
    }

    [Fact]
    public void ToSimplified_keeps_punctuation_and_latin_text_and_converts_only_traditional_characters()
    {
        Assert.Equal("请您稍等，我这边核实一下。OK 123", SpeechText.ToSimplified("請您稍等，我這邊核實一下。OK 123"));
        Assert.Equal("乾隆", SpeechText.ToSimplified("乾隆")); // ambiguous mapping left alone
    }

    [Fact]
    public void Full_width_letters_digits_and_punctuation_are_folded_and_punctuation_dropped()
    {
        var text = SpeechText.Parse("ＯＫ，工号１０２４！");
        Assert.Equal("ok 工号1024", text.Normalized);
    }

    [Fact]
    public void Fillers_are_marked_so_matching_can_skip_them()
    {
        var text = SpeechText.Parse("嗯您好啊");
        Assert.Equal([true, false, false, true], text.Filler);
    }

    [Fact]
    public void Homophones_share_a_sound_key()
    {
        var a = SpeechText.Parse("稍等");
        var b = SpeechText.Parse("烧等");
        Assert.NotEqual(a.Keys[0], b.Keys[0]);
        Assert.Equal(a.Sounds[0], b.Sounds[0]);
    }

    [Fact]
    public void Nin_and_ni_differ_in_sound_but_share_the_fuzzy_class()
    {
        var nin = SpeechText.Parse("您");
        var ni = SpeechText.Parse("你");
        Assert.NotEqual(nin.Sounds[0], ni.Sounds[0]);
        Assert.Equal(nin.Fuzzy[0], ni.Fuzzy[0]);
    }

    [Fact]
    public void A_number_read_in_Chinese_digit_words_becomes_digits_but_short_runs_stay_words()
    {
        Assert.Equal("13812345678", SpeechText.Parse("幺三八一二三四五六七八").Digits());
        Assert.Equal("", SpeechText.Parse("我看一下").Digits());
    }

    [Theory]
    [InlineData("七个工作日", 7)]
    [InlineData("十五天", 15)]
    [InlineData("二十天", 20)]
    [InlineData("30天", 30)]
    public void Chinese_and_arabic_numbers_parse(string text, int expected)
    {
        var pos = 0;
        Assert.True(SpeechText.TryParseNumber(text, ref pos, out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void English_is_lower_cased_into_words()
    {
        Assert.Equal("thank you for calling acme", SpeechText.Parse("Thank you for calling ACME!").Normalized);
    }
}
