using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.Tests.Decoding;
using QaPipeline.Audio.VoiceActivity;

namespace QaPipeline.Audio.Tests.VoiceActivity;

public class SileroVadTests
{
    private readonly AudioDecoder _decoder = new();

    public static TheoryData<string> SpeechClips() => new()
    {
        "zh/paddlespeech_zh.wav",
        "zh/funasr_nano_far_2.wav",
        "zh/sichuan_paraformer_01.wav",
        "zh/qwen3asr_fast1.wav",
        "zh/f5tts_basic_ref_zh.wav",
        "en/ljspeech_LJ001-0001.wav",
        "en/hifitts6097_nada_lily_12_haggard_0523.wav",
        "en/funasr_nano_noise_en.wav",
        "calls/baidu_8k_beijing_kejiguan.wav",
        "calls/baidu_8k_beijing_kejiguan_amrnb.amr",
    };

    [Theory]
    [MemberData(nameof(SpeechClips))]
    public void Speech_is_found_in_real_recorded_speech(string file)
    {
        var path = TestEnvironment.Speech(file);
        using var vad = TestEnvironment.OpenVad();
        var duration = _decoder.Probe(path).DurationSeconds!.Value;

        var segments = vad.DetectSpeech(_decoder.Decode(path)).Single();

        // Read sentences: mostly speech, never more than the recording, and inside it.
        Assert.NotEmpty(segments);
        Assert.InRange(segments.Sum(s => s.Duration), 0.3 * duration, duration);
        Assert.All(segments, s => Assert.InRange(s.End, s.Start + 0.25, duration + 0.01));
    }

    [Fact]
    public void Digital_silence_has_no_speech()
    {
        var path = Generated("silence.wav", "anullsrc=r=8000:cl=stereo", 20);
        using var vad = TestEnvironment.OpenVad();

        var channels = vad.DetectSpeech(_decoder.Decode(path));

        Assert.Equal(2, channels.Length);
        Assert.All(channels, Assert.Empty);
    }

    [Fact]
    public void A_steady_tone_and_low_noise_are_not_speech()
    {
        // Energy alone would call both of these "active"; the model must not.
        var tone = Generated("tone.wav", "sine=frequency=425:sample_rate=8000", 10); // the Chinese dial/ringing tone
        var noise = Generated("noise.wav", "anoisesrc=color=pink:amplitude=0.05:sample_rate=16000", 10);
        using var vad = TestEnvironment.OpenVad();

        Assert.Empty(vad.DetectSpeech(_decoder.Decode(tone)).Single());
        Assert.Empty(vad.DetectSpeech(_decoder.Decode(noise)).Single());
    }

    [Fact]
    public void Streamed_detection_gives_the_same_segments_as_detection_in_memory()
    {
        var path = TestEnvironment.Speech("zh/azure_zhcn_continuous_mode_sample.wav");
        using var vad = TestEnvironment.OpenVad();

        var streamed = vad.DetectSpeech(_decoder.Decode(path)).Single();
        var inMemory = vad.DetectSpeech(_decoder.DecodeToMemory(path).Channels[0]);

        Assert.True(streamed.Count > 3);
        Assert.Equal(inMemory, streamed);
    }

    [Fact]
    public void Channels_of_a_stereo_call_are_detected_as_if_each_were_alone()
    {
        // Batching the two channels must not leak state between them.
        using var vad = TestEnvironment.OpenVad();

        var stereo = vad.DetectSpeech(_decoder.Decode(TestEnvironment.Speech("calls/speechmatics_call_center_stereo.wav")));
        var agent = vad.DetectSpeech(_decoder.Decode(TestEnvironment.Speech("calls/speechmatics_agent_channel.wav"))).Single();
        var customer = vad.DetectSpeech(_decoder.Decode(TestEnvironment.Speech("calls/speechmatics_customer_channel.wav"))).Single();

        AssertClose(agent, stereo[0]);
        AssertClose(customer, stereo[1]);
    }

    [Fact]
    public void Missing_model_file_is_reported_with_where_to_put_it()
    {
        var e = Assert.Throws<FileNotFoundException>(() => new SileroVad("/nonexistent/silero_vad.onnx"));
        Assert.Contains(SileroVad.ModelPathVariable, e.Message);
    }

    [Fact]
    public void Corrupt_model_file_is_reported_as_not_loadable()
    {
        var path = Path.Combine(TestEnvironment.ScratchDirectory("models"), "corrupt.onnx");
        File.WriteAllBytes(path, File.ReadAllBytes(TestEnvironment.VadModelPath).Take(10_000).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => new SileroVad(path));

        Assert.Contains("not a loadable ONNX model", e.Message);
    }

    private static void AssertClose(IReadOnlyList<SpeechSegment> expected, IReadOnlyList<SpeechSegment> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.InRange(a.Start, e.Start - 0.05, e.Start + 0.05);
            Assert.InRange(a.End, e.End - 0.05, e.End + 0.05);
        }
    }

    private static string Generated(string name, string lavfi, int seconds)
    {
        var path = Path.Combine(TestEnvironment.ScratchDirectory("vad"), name);
        AudioDecoderTests.Run("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", $"{lavfi}:duration={seconds}", path);
        return path;
    }
}
