using QaPipeline.Audio.Decoding;
using QaPipeline.Speech.Whisper;
using Xunit.Abstractions;

namespace QaPipeline.Speech.Tests.Whisper;

[Collection("whisper")]
public sealed class WhisperRecognizerTests(TinyModelFixture fixture, ITestOutputHelper output)
{
    private static readonly string Clip = TestEnvironment.Speech("en/ljspeech_LJ001-0001.wav");

    private static float[] Decode(string path) => new AudioDecoder().DecodeToMemory(path).Channels[0];

    private static readonly RecognitionOptions Fast = new() { Language = "en", Threads = 2, BeamSize = 1, TemperatureIncrement = 0 };

    [Fact]
    public void Runtime_is_the_whisper_net_cpu_build_and_says_which_cpu_features_it_uses()
    {
        _ = fixture.Recognizer;
        var description = WhisperRuntime.Description;
        output.WriteLine($"Whisper.net {WhisperRuntime.Version}, runtime {description}");
        Assert.Equal("1.9.1", WhisperRuntime.Version);
        Assert.NotNull(description);
        Assert.StartsWith("Cpu: ", description);
        Assert.Contains("AVX2 = 1", description);
    }

    [Theory]
    [InlineData("tiny", 4)]
    [InlineData("base", 6)]
    [InlineData("small", 12)]
    public void Each_test_model_runs_through_whisper_net_on_real_speech(string size, int encoderLayers)
    {
        var samples = Decode(Clip);
        using var recognizer = WhisperRecognizer.Load(TestEnvironment.TestModel(size));
        Assert.Equal(size, recognizer.ModelType);
        Assert.Equal(encoderLayers, WhisperModelFile.Check(TestEnvironment.TestModel(size)).NAudioLayer);
        Assert.True(recognizer.IsMultilingual);

        var result = recognizer.Recognize(samples, Fast);

        // The clip is under 30 s: one encoder window, run on this audio by the real whisper.cpp. The weights are
        // zero, so what it decodes is the default path: whatever comes back must be well-formed, never invented
        // characters or times outside the clip.
        Assert.Equal(1, recognizer.EncoderWindows);
        Assert.Equal("en", result.Language);
        var clipSeconds = samples.Length / 16000.0;
        Assert.All(result.Segments, s =>
        {
            Assert.InRange(s.Start, 0, clipSeconds);
            Assert.InRange(s.End, s.Start, clipSeconds);
            Assert.DoesNotContain('\uFFFD', s.Text);
        });
        output.WriteLine($"{size}: {result.Segments.Count} segments from {clipSeconds:0.0} s");
    }

    [Fact]
    public void A_batch_longer_than_a_window_is_walked_window_by_window()
    {
        // 65 s of speech (the clip repeated): Whisper.net must feed whisper.cpp the whole buffer, which walks it in
        // three 30 s windows (a weightless model never emits a timestamp, so each window is skipped whole).
        var clip = Decode(Clip);
        var samples = Enumerable.Repeat(clip, (int)Math.Ceiling(65 * 16000.0 / clip.Length)).SelectMany(c => c).Take(65 * 16000).ToArray();
        var before = fixture.Recognizer.EncoderWindows;
        fixture.Recognizer.Recognize(samples, Fast);
        Assert.Equal(3, fixture.Recognizer.EncoderWindows - before);
    }

    [Fact]
    public void Cancelling_stops_recognition_and_the_recognizer_stays_usable()
    {
        var samples = new float[600 * 16000]; // ten minutes: twenty windows
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var before = fixture.Recognizer.EncoderWindows;
        Assert.ThrowsAny<OperationCanceledException>(() => fixture.Recognizer.Recognize(samples, Fast, cts.Token));
        Assert.Equal(before, fixture.Recognizer.EncoderWindows);

        using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        Assert.ThrowsAny<OperationCanceledException>(() => fixture.Recognizer.Recognize(samples, Fast, soon.Token));
        var ran = fixture.Recognizer.EncoderWindows - before;
        output.WriteLine($"cancelled after {ran} of 20 windows");
        Assert.True(ran < 20, $"ran all {ran} windows despite cancellation");

        var after = fixture.Recognizer.EncoderWindows;
        fixture.Recognizer.Recognize(Decode(Clip), Fast);
        Assert.Equal(after + 1, fixture.Recognizer.EncoderWindows);
    }

    [Fact]
    public void Language_detection_names_a_whisper_language_with_a_probability()
    {
        var (language, probability) = fixture.Recognizer.DetectLanguage(Decode(TestEnvironment.Speech("zh/paddlespeech_zh.wav")), 2);
        Assert.Matches("^[a-z]{2,3}$", language);
        Assert.InRange(probability, 0.0, 1.0);
    }

    [Fact]
    public void Auto_language_comes_back_as_auto_when_nothing_was_recognised()
    {
        // Nothing recognised means no segment to carry a language: the caller keeps asking (CallTranscriber
        // detects on the next batch) instead of being told a language nobody heard.
        var result = fixture.Recognizer.Recognize(Decode(Clip), Fast with { Language = "auto" });
        Assert.Empty(result.Segments);
        Assert.Equal("auto", result.Language);
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

    [Fact]
    public void Cpu_without_avx2_is_refused_in_one_line_naming_the_noavx_runtime()
    {
        var message = WhisperRuntime.MissingCpuFeature(avx2: false, noAvxRuntimeInstalled: false);
        Assert.NotNull(message);
        Assert.Contains("AVX2", message);
        Assert.Contains("Whisper.net.Runtime.NoAvx", message);
        Assert.DoesNotContain('\n', message);
        Assert.Null(WhisperRuntime.MissingCpuFeature(avx2: false, noAvxRuntimeInstalled: true));
        Assert.Null(WhisperRuntime.MissingCpuFeature(avx2: true, noAvxRuntimeInstalled: false));
    }

    [Fact]
    public void Runtime_order_names_whisper_net_runtimes_and_rejects_unknown_ones()
    {
        Assert.Equal(["Cuda12", "Cpu"], WhisperRuntime.ParseOrder("cuda12, cpu").Select(r => r.ToString()));
        var e = Assert.Throws<SpeechEngineException>(() => WhisperRuntime.ParseOrder("cpu,tpu"));
        Assert.Contains("unknown runtime 'tpu'", e.Message);
    }
}
