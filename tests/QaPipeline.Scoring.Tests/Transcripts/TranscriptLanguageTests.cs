using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Tests.Transcripts;

public class TranscriptLanguageTests
{
    private static string? Detect(string dialogue) => TranscriptLanguage.Detect(TranscriptFormat.Parse(dialogue));

    [Fact]
    public void A_Mandarin_call_that_spells_out_an_app_name_is_Mandarin()
    {
        Assert.Equal("zh", Detect("坐席：您好，请问有什么可以帮您？\n客户：我在APP上下单了，OK吗？\n坐席：好的，我帮您查一下订单。"));
    }

    [Fact]
    public void An_English_call_with_a_Chinese_name_is_English()
    {
        Assert.Equal("en", Detect("Agent: Thank you for calling, this is Li 李明, how may I help you?\nCustomer: I want to check my order."));
    }

    [Fact]
    public void The_agents_speech_decides_when_the_customer_speaks_another_language()
    {
        Assert.Equal("en", Detect("Agent: Good morning, how may I help you today?\n客户：我想查一下我的订单到哪里了，谢谢你。\nAgent: Sure, one moment please."));
        Assert.Equal("zh", Detect("坐席：您好，请问有什么可以帮您？\nCustomer: Hello, I would like to check my order status please.\n坐席：好的，请您稍等。"));
    }

    [Fact]
    public void Too_little_text_in_either_script_tells_nothing()
    {
        Assert.Null(Detect("坐席：嗯\n客户：123456"));
    }

    [Theory]
    [InlineData("zh", "zh")]
    [InlineData("zh-CN", "zh")]
    [InlineData("English", "en")]
    [InlineData("en-US", "en")]
    [InlineData("fr", null)]
    [InlineData(null, null)]
    public void Language_labels_become_the_centres_two_codes(string? label, string? expected) =>
        Assert.Equal(expected, TranscriptLanguage.Normalize(label));
}
