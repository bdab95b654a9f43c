using QaPipeline.Audio.Decoding;
using QaPipeline.Speech.Whisper;
using Xunit.Abstractions;

namespace QaPipeline.Speech.Tests.Whisper;

[Collection("whisper")]
public sealed class WhisperRecognizerTests(TinyModelFixture fixture, ITestOutputHelper output)
{
    private static readonly string Clip = TestEnvironment.Speech("en/ljspeech_LJ001-0001.wav");

    private static float[] Decode(string path) => new AudioDecoder().DecodeToMemory(path).Channels[0];

    [Fact]
    public void Loaded_library_is_whisper_cpp_1_9_1_from_the_build_cache()
    {
        Assert.Equal("1.9.1", WhisperLibrary.LoadedVersion);
        Assert.True(File.Exists(Path.Combine(WhisperLibrary.Folder, "libwhisper.so")));
    }

    [Fact]
    public void Real_clip_comes_back_as_segments_with_times_and_token_probabilities()
    {
        var samples = Decode(Clip);
        var clipSeconds = samples.Length / 16000.0;
        var forced = new ForcedSpeech();
        fixture.Talking.LogitsFilter = forced.Filter;
        RecognitionResult result;
        try
        {
            result = fixture.Talking.Recognize(samples, new RecognitionOptions { Language = "en", Threads = 2, BeamSize = 1, TemperatureIncrement = 0 });
        }
        finally
        {
            fixture.Talking.LogitsFilter = null;
        }

        Assert.Equal("en", result.Language);
        var segment = Assert.Single(result.Segments);
        Assert.False(string.IsNullOrWhiteSpace(segment.Text));
        Assert.InRange(segment.Start, 0, clipSeconds);
        Assert.InRange(segment.End, segment.Start, clipSeconds);
        Assert.Equal(6, segment.Tokens.Count);
        Assert.All(segment.Tokens, t =>
        {
            Assert.InRange(t.Probability, 0.5, 1.0);
            Assert.InRange(t.Start, 0, t.End);
        });
        static string Letters(string s) => new(s.Where(c => !char.IsWhiteSpace(c)).ToArray());
        Assert.Equal(Letters(segment.Text), Letters(string.Concat(segment.Tokens.Select(t => t.Text))));
        output.WriteLine($"{segment.Start:0.00}-{segment.End:0.00} '{segment.Text}' p={string.Join(",", segment.Tokens.Select(t => t.Probability.ToString("0.000")))}");
    }

    [Fact]
    public void Weightless_model_on_real_speech_returns_no_invented_text()
    {
        // The test model's logits are uniform: whatever Whisper emits is the decoder's default path, and the
        // binding must pass "nothing recognised" through as an empty list rather than fail.
        var result = fixture.Recognizer.Recognize(Decode(Clip), new RecognitionOptions { Language = "en", Threads = 2, BeamSize = 1, TemperatureIncrement = 0 });
        Assert.All(result.Segments, s => Assert.True(s.End >= s.Start));
        Assert.DoesNotContain(result.Segments, s => s.Tokens.Any(t => t.Text.Contains('\uFFFD')));
    }

    [Fact]
    public void Language_detection_names_a_whisper_language_with_a_probability()
    {
        var (language, probability) = fixture.Recognizer.DetectLanguage(Decode(TestEnvironment.Speech("zh/paddlespeech_zh.wav")), 2);
        Assert.Matches("^[a-z]{2,3}$", language);
        Assert.InRange(probability, 0.0, 1.0);
    }

    [Fact]
    public void Prompt_token_count_and_limit_come_from_the_model_vocabulary()
    {
        Assert.Equal(224, fixture.Recognizer.MaxPromptTokens);
        var english = fixture.Recognizer.CountTokens("Thank you for calling, how can I help you today?");
        Assert.InRange(english, 8, 20);
        // Byte-level BPE: Chinese costs more tokens than characters would suggest, which is why the cap counts tokens.
        Assert.True(fixture.Recognizer.CountTokens("您好很高兴为您服务请问有什么可以帮您") >= 10);
    }

    [Fact]
    public void Disposed_recognizer_refuses_work_instead_of_touching_freed_memory()
    {
        var recognizer = WhisperRecognizer.Load(TestEnvironment.TinyModel);
        recognizer.Dispose();
        recognizer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => recognizer.Recognize(new float[16000], new RecognitionOptions()));
    }
}
