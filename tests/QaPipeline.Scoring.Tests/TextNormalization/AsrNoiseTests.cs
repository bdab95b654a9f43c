using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Tests.TextNormalization;

public class AsrNoiseTests
{
    private const string Line = "您好，请您稍等，小妹这边帮您查询一下订单的配送进度，马上回复您哦。";
    private static readonly AsrNoise Noise = new([Line, "烧等 再见 在见 茶询 查寻 進度 回覆"]);

    [Fact]
    public void The_same_seed_gives_the_same_noise()
    {
        Assert.Equal(Noise.Apply(Line, new Random(5)), Noise.Apply(Line, new Random(5)));
    }

    [Fact]
    public void Noisy_text_has_no_punctuation_and_still_sounds_like_the_original()
    {
        var noisy = Noise.Apply(Line, new Random(1));
        Assert.DoesNotContain('，', noisy);
        Assert.DoesNotContain('。', noisy);
        // The normaliser undoes script and keeps pronunciation: every original syllable is still heard, in order.
        var heard = SpeechText.Parse(noisy);
        var said = SpeechText.Parse(Line);
        var j = 0;
        for (var i = 0; i < heard.Length && j < said.Length; i++)
            if (heard.Sounds[i] == said.Sounds[j]) j++;
        Assert.Equal(said.Length, j);
    }

    [Fact]
    public void Over_many_lines_noise_brings_traditional_characters_homophones_and_fillers()
    {
        var rng = new Random(3);
        var noisy = Enumerable.Range(0, 200).Select(_ => Noise.Apply(Line, rng)).ToList();
        Assert.Contains(noisy, n => n.Contains('請') || n.Contains('邊'));
        Assert.Contains(noisy, n => n.Contains('嗯') || n.Contains("那个") || n.Contains("就是") || n.Contains('啊') || n.Contains('呃'));
        Assert.Contains(noisy, n => SpeechText.Parse(n).Normalized.Replace("嗯", "").Replace("啊", "").Replace("呃", "")
                                         .Replace("那个", "").Replace("就是", "").Replace("这个", "") != SpeechText.Parse(Line).Normalized);
    }

    [Fact]
    public void English_noise_keeps_words_apart_and_drops_punctuation()
    {
        var noisy = new AsrNoise([]).Apply("Thank you for holding, I'll check that for you.", new Random(2));
        Assert.DoesNotContain(',', noisy);
        Assert.DoesNotContain("holdingi", noisy.ToLowerInvariant().Replace(" ", "_"));
        Assert.Contains(" ", noisy);
    }
}
