using System.Text;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Tests.Transcripts;

public class TranscriptFormatTests
{
    [Fact]
    public void Plain_dialogue_accepts_full_and_half_width_colons_and_all_labels()
    {
        var t = TranscriptFormat.Parse("坐席：您好\n客户:你好\n客服：请讲\nAgent: hi\nCustomer：bye\n");
        Assert.Equal([SpeakerRole.Agent, SpeakerRole.Customer, SpeakerRole.Agent, SpeakerRole.Agent, SpeakerRole.Customer],
            t.Segments.Select(s => s.Speaker));
        Assert.False(t.IsTimed);
    }

    [Fact]
    public void Json_round_trips_through_the_one_schema()
    {
        var original = new Transcript(
            [new TranscriptSegment(SpeakerRole.Agent, 0.5, 2.25, "您好", 0.91, [new TranscriptToken("您好", 0.5, 2.25, 0.9)])],
            TranscriptSource.Whisper, "zh", "c1", 10, new TranscriptionInfo("ggml-small.bin", 3.2, 3.0, 10));
        var parsed = TranscriptFormat.Parse(TranscriptFormat.ToJson(original));
        Assert.Equal(TranscriptSource.Whisper, parsed.Source);
        Assert.Equal(0.91, parsed.Segments[0].Confidence);
        Assert.Equal("ggml-small.bin", parsed.Transcription!.Model);
        Assert.Equal(0.9, parsed.Segments[0].Tokens![0].Probability);
    }

    [Theory]
    [InlineData("", "transcript is empty")]
    [InlineData("   \n\n", "transcript is empty")]
    [InlineData("hello world", "transcript line 1: expected '坐席：', '客服：', '客户：', 'Agent:' or 'Customer:' before the text")]
    [InlineData("{\"segments\": 5}", "transcript JSON has no 'segments' array")]
    [InlineData("{\"segments\": [{\"speaker\": \"boss\", \"text\": \"x\"}]}", "transcript segments[0].speaker must be agent, customer or mixed (got 'boss')")]
    [InlineData("{\"segments\": [{\"speaker\": \"agent\", \"start\": 5, \"end\": 1, \"text\": \"x\"}]}", "transcript segments[0]: start and end must satisfy 0 <= start <= end")]
    [InlineData("{\"segments\": [", "transcript is malformed JSON")]
    public void Bad_transcripts_give_one_line_errors(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => TranscriptFormat.Parse(text));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Non_utf8_bytes_are_rejected()
    {
        var e = Assert.Throws<FormatException>(() => TranscriptFormat.Parse([0xC0, 0xFF, 0x41]));
        Assert.Equal("transcript is not valid UTF-8 text", e.Message);
    }

    [Fact]
    public void A_ten_megabyte_single_line_is_refused_without_parsing()
    {
        var huge = "坐席：" + new string('好', 10 * 1024 * 1024 / 3 * 3);
        var e = Assert.Throws<FormatException>(() => TranscriptFormat.Parse(Encoding.UTF8.GetBytes(huge)));
        Assert.StartsWith("transcript is too large", e.Message);
    }
}
