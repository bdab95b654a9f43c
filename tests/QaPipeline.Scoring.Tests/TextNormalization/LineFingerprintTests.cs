using QaPipeline.Scoring.TextNormalization;

namespace QaPipeline.Scoring.Tests.TextNormalization;

public class LineFingerprintTests
{
    [Fact]
    public void Punctuation_width_and_script_do_not_change_a_lines_fingerprint()
    {
        var clean = LineFingerprint.Of("请您稍等，马上为您查一查~");
        Assert.Equal(clean, LineFingerprint.Of("請您稍等 馬上為您查一查"));
        Assert.Equal(16, clean.Length);
    }

    [Fact]
    public void Different_words_give_different_fingerprints()
    {
        Assert.NotEqual(LineFingerprint.Of("请您稍等"), LineFingerprint.Of("请您稍候"));
    }
}
