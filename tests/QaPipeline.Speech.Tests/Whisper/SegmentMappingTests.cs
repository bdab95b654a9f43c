using QaPipeline.Speech.Whisper;
using Whisper.net;

namespace QaPipeline.Speech.Tests.Whisper;

/// <summary>
/// Whisper.net's segments as the product reads them: Whisper.net decodes every token to a string on its own, so a
/// Chinese character split over byte-level tokens arrives as U+FFFD pieces; the recogniser must rebuild whole
/// characters from the vocabulary's bytes, drop special tokens, and keep times inside the audio it was given.
/// The official ggml models store byte-level tokens as raw bytes; the weightless test models' vocabulary has them
/// as U+FFFD already (their converter decoded each token alone), so the split-character case uses a small vocabulary
/// of raw byte tokens, as the official files have them.
/// </summary>
public sealed class SegmentMappingTests
{
    private static readonly WhisperVocabulary Vocabulary = WhisperModelFile.Check(TestEnvironment.TinyModel).Vocabulary;

    /// <summary>您 and 号 as two byte-level tokens each, 好 and 。 whole, the full-width comma as three single bytes.</summary>
    private static readonly WhisperVocabulary ByteLevel = new(
        [[0xE6, 0x82], [0xA8], [0xE5, 0xA5, 0xBD], [0xE5, 0x8F], [0xB7], [0xE3, 0x80, 0x82], [0xEF], [0xBC], [0x8C], "工"u8.ToArray()],
        nVocab: 51865);

    private static WhisperToken Token(int id, double start, double end, float p, string? text = null) =>
        new() { Id = id, Start = (long)Math.Round(start * 100), End = (long)Math.Round(end * 100), Probability = p, Text = text ?? "\uFFFD" };

    [Fact]
    public void Chinese_characters_split_over_byte_tokens_come_back_whole_with_their_lowest_probability()
    {
        const string text = "您好，工号。";
        var ids = ByteLevel.Tokenize(text);
        Assert.Equal([0, 1, 2, 6, 7, 8, 9, 3, 4, 5], ids);
        Assert.True(ids.Count > text.Length / 2, "expected byte-level pieces");
        var tokens = new List<WhisperToken> { Token(ByteLevel.EndOfText + 1, 0, 0, 1f, "[_SOT_]") };
        tokens.AddRange(ids.Select((id, i) => Token(id, 0.5 + i * 0.1, 0.6 + i * 0.1, i == 1 ? 0.4f : 0.9f)));
        tokens.Add(Token(ByteLevel.EndOfText, 3, 3, 1f, "[_EOT_]"));
        var segment = new SegmentData(text, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2.5), 0.4f, 0.9f, 0.85f, 0.02f, "zh", tokens.ToArray());

        var s = WhisperRecognizer.ToSegment(segment, ByteLevel, audioSeconds: 10);

        Assert.Equal(text, s.Text);
        Assert.Equal(text.Select(c => c.ToString()), s.Tokens.Select(t => t.Text));
        Assert.Equal(0.4, s.Tokens[0].Probability, 3); // "您" is two tokens; the weaker one counts
        Assert.Equal(0.5, s.Tokens[0].Start, 6);
        Assert.Equal(0.7, s.Tokens[0].End, 6);
        Assert.All(s.Tokens, t => Assert.InRange(t.Start, 0.5, t.End));
        Assert.Equal(0.02, s.NoSpeechProbability, 3);
        Assert.Equal((0.5, 2.5), (s.Start, s.End));
    }

    [Fact]
    public void Times_past_the_audio_are_clamped_to_its_end()
    {
        // A window that ends without a timestamp token is reported as running to the end of the 30 s window.
        var id = Vocabulary.Tokenize(" hello")[0];
        var segment = new SegmentData(" hello", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.9f, 0.9f, 0.9f, 0f, "en",
            [Token(id, 1, 30, 0.9f, " hello")]);
        var s = WhisperRecognizer.ToSegment(segment, Vocabulary, audioSeconds: 4.2);
        Assert.Equal("hello", s.Text);
        Assert.Equal(4.2, s.End, 3);
        Assert.Equal(4.2, Assert.Single(s.Tokens).End, 3);
    }

    [Fact]
    public void Managed_tokenizer_splits_text_the_way_whisper_cpp_does()
    {
        // Longest match from the left per pre-tokenized word: " hello" is one token, and a word's pieces spell it.
        Assert.Single(Vocabulary.Tokenize(" hello"));
        var ids = Vocabulary.Tokenize("Thank you for calling");
        Assert.Equal("Thank you for calling", string.Concat(ids.Select(i => System.Text.Encoding.UTF8.GetString(Vocabulary.Bytes(i)!))));
        Assert.Equal(4, ids.Count);
    }
}
