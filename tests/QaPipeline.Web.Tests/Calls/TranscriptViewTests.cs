using QaPipeline.Web.Calls;

namespace QaPipeline.Web.Tests;

public sealed class TranscriptViewTests
{
    private const string Json = """
        {"source": "whisper", "language": "zh", "segments": [
          {"speaker": "agent", "start": 0.5, "end": 3.0, "text": "您好请问", "confidence": 0.55,
           "tokens": [{"text": "您好", "start": 0.5, "end": 1.2, "p": 0.93}, {"text": "请问", "start": 1.3, "end": 2.0, "p": 0.31}]},
          {"speaker": "customer", "start": 3.2, "end": 6.0, "text": "我的号码是13812345678", "confidence": 0.9,
           "tokens": [{"text": "我的号码是", "start": 3.2, "end": 4.0, "p": 0.9}, {"text": "138123", "start": 4.0, "end": 5.0, "p": 0.4}, {"text": "45678", "start": 5.0, "end": 6.0, "p": 0.9}]}
        ]}
        """;

    [Fact]
    public void Low_probability_words_and_low_confidence_segments_are_marked()
    {
        var segments = CallDetails.Segments(Json, masked: false);
        Assert.True(segments[0].LowConfidence);
        Assert.False(segments[1].LowConfidence);
        Assert.Equal([false, true], segments[0].Words!.Select(w => w.Low));
    }

    [Fact]
    public void A_masked_segment_shows_no_tokens_that_would_reveal_the_number()
    {
        var segments = CallDetails.Segments(Json, masked: true);
        Assert.Equal("我的号码是*******5678", segments[1].Text);
        Assert.Null(segments[1].Words);
        Assert.NotNull(segments[0].Words); // nothing to mask there: its words stay marked
    }
}
