using QaPipeline.Scoring.Rubrics;

namespace QaPipeline.Speech.Tests;

public sealed class RubricKeyPhrasesTests
{
    private static Rubric Load(string name)
    {
        var path = Path.Combine(TestEnvironment.RepositoryRoot, "scoring-rules", name);
        return RubricParser.Parse(File.ReadAllBytes(path), path);
    }

    [Fact]
    public void Default_rubric_primes_whisper_with_what_agents_must_say_in_rubric_order()
    {
        var phrases = RubricKeyPhrases.From(Load("zh-CN.yaml"));
        Assert.Equal("您好", phrases[0]); // greeting.opening is the first item
        Assert.Contains("工号", phrases);
        Assert.Equal(phrases.Distinct().Count(), phrases.Count);
        Assert.DoesNotContain(phrases, p => p.Contains('…'));   // gapped phrases are shapes, not words to prime
        Assert.Contains("为您核查", phrases);                     // slot expansions without a gap are words
    }

    [Fact]
    public void Forbidden_phrases_are_never_used_to_prime_recognition()
    {
        var phrases = RubricKeyPhrases.From(Load("zh-CN.yaml"));
        Assert.DoesNotContain("不归我管", phrases);
        Assert.DoesNotContain("神经病", phrases);
    }

    [Fact]
    public void Rubric_prompt_fits_whispers_limit_and_keeps_the_opening_phrases()
    {
        using var recognizer = QaPipeline.Speech.Whisper.WhisperRecognizer.Load(TestEnvironment.TinyModel);
        var prompt = InitialPrompt.Build(RubricKeyPhrases.From(Load("zh-CN.yaml")), recognizer.CountTokens, recognizer.MaxPromptTokens - 1)!;
        Assert.StartsWith("您好，你好，欢迎来电", prompt);
        Assert.InRange(recognizer.CountTokens(prompt), 20, 223);
    }
}
