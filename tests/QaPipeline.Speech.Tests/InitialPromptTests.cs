namespace QaPipeline.Speech.Tests;

public sealed class InitialPromptTests
{
    private static int Chars(string s) => s.Length;

    [Fact]
    public void Chinese_key_phrases_are_joined_with_full_width_punctuation()
    {
        Assert.Equal("您好，工号，还有什么可以帮您。", InitialPrompt.Build(["您好", "工号", "还有什么可以帮您"], Chars, 100));
    }

    [Fact]
    public void English_key_phrases_are_joined_with_commas()
    {
        Assert.Equal("thank you for calling, anything else.", InitialPrompt.Build(["thank you for calling", "anything else"], Chars, 100));
    }

    [Fact]
    public void Prompt_is_cut_at_a_phrase_boundary_keeping_the_first_phrases()
    {
        var phrases = Enumerable.Range(1, 50).Select(i => $"短语{i:00}").ToList();
        var prompt = InitialPrompt.Build(phrases, Chars, 40)!;
        Assert.True(prompt.Length <= 40, prompt);
        Assert.StartsWith("短语01，短语02，", prompt);
        Assert.EndsWith("。", prompt);
        Assert.DoesNotContain("短语50", prompt);
    }

    [Fact]
    public void Duplicates_and_blanks_are_ignored_and_no_phrases_mean_no_prompt()
    {
        Assert.Equal("您好。", InitialPrompt.Build(["您好", " ", "您好"], Chars, 100));
        Assert.Null(InitialPrompt.Build([], Chars, 100));
    }

    [Fact]
    public void Real_vocabulary_caps_a_long_rubric_at_whispers_prompt_limit()
    {
        using var recognizer = QaPipeline.Speech.Whisper.WhisperRecognizer.Load(TestEnvironment.TinyModel);
        var phrases = Enumerable.Range(0, 200).Select(i => $"请问还有什么可以帮您的第{i}项业务").ToList();
        var prompt = InitialPrompt.Build(phrases, recognizer.CountTokens, recognizer.MaxPromptTokens - 1)!;
        Assert.InRange(recognizer.CountTokens(prompt), 150, 223);
    }
}
