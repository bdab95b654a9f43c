using System.Text.Json;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.TestSupport;
using QaPipeline.TestSupport.TestCalls;

namespace QaPipeline.Cli.Tests.Audio;

/// <summary><c>qa analyze</c> as a process, checked against ../shared/docs/cli-contract.md, on the acoustic tests'
/// scripted stereo call.</summary>
public class AnalyzeCommandTests
{
    [Fact]
    public void Analyze_prints_exactly_the_contract_fields_for_a_stereo_call()
    {
        var call = TestCallBuilder.ScriptedStereoCall().Build(Path.Combine(Scratch(), "call.mp3"), false, "-b:a", "64k");

        var (exit, stdout, stderr) = Run("analyze", call.Path, "--min-silence", "3");

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(["duration_s", "channels", "speakers", "silences", "overlaps", "talk_ratio", "dynamics"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, root.GetProperty("channels").GetInt32());
        Assert.Equal(["agent", "customer"], root.GetProperty("speakers").EnumerateObject().Select(p => p.Name));
        var agent = root.GetProperty("speakers").GetProperty("agent");
        Assert.True(agent.GetProperty("speech_s").GetDouble() > 5);
        Assert.All(agent.GetProperty("segments").EnumerateArray(), s => Assert.Equal(2, s.GetArrayLength()));
        Assert.Equal(2, root.GetProperty("silences").GetArrayLength());
        Assert.All(root.GetProperty("silences").EnumerateArray(),
            s => Assert.Equal(["start", "end"], s.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(["customer", "agent"], root.GetProperty("overlaps").EnumerateArray().Select(o => o.GetProperty("by").GetString()));
        Assert.Equal(1.0, root.GetProperty("talk_ratio").EnumerateObject().Sum(p => p.Value.GetDouble()), 2);
        Assert.DoesNotContain("\n", stdout.TrimEnd());
    }

    [Fact]
    public void Agent_channel_right_reverses_who_interrupted()
    {
        var call = TestCallBuilder.ScriptedStereoCall().Build(Path.Combine(Scratch(), "call-right.wav"));

        var (exit, stdout, stderr) = Run("analyze", call.Path, "--agent-channel", "right");

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(["agent", "customer"], json.RootElement.GetProperty("overlaps").EnumerateArray().Select(o => o.GetProperty("by").GetString()));
    }

    [Theory]
    [InlineData("missing", "recording not found")]
    [InlineData("text", "not a recording ffmpeg can read")]
    [InlineData("empty", "file is empty")]
    public void Unreadable_input_gives_one_error_line_and_exit_2(string kind, string reason)
    {
        var dir = Scratch();
        var path = Path.Combine(dir, kind + ".wav");
        if (kind == "text") File.WriteAllText(path, "not audio");
        if (kind == "empty") File.WriteAllBytes(path, []);

        var (exit, stdout, stderr) = Run("analyze", path);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.StartsWith("qa: error: ", stderr);
        Assert.Contains(reason, stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Missing_vad_model_is_a_clear_error()
    {
        var (exit, _, stderr) = Run("analyze", RepositoryPaths.Speech("zh/paddlespeech_zh.wav"), "--vad-model", "/nonexistent/vad.onnx");

        Assert.Equal(2, exit);
        Assert.Contains("Silero VAD model not found", stderr);
        Assert.Contains(SileroVad.ModelPathVariable, stderr);
    }

    [Fact]
    public void A_missing_or_unusable_speaker_model_is_a_one_line_error()
    {
        var recording = RepositoryPaths.Speech("zh/paddlespeech_zh.wav");
        var (exit, stdout, stderr) = Run("analyze", recording, "--speaker-model", "/nonexistent/speaker.onnx");

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("speaker-embedding model not found at /nonexistent/speaker.onnx", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));

        var garbage = Path.Combine(Scratch(), "not-a-speaker-model.onnx");
        File.WriteAllText(garbage, "not a model");
        (exit, _, stderr) = Run("analyze", recording, "--speaker-model", garbage);

        Assert.Equal(2, exit);
        Assert.Contains($"{garbage}: not a loadable ONNX model", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    /// <summary>A mono call of two real voices separated on a speaker-embedding model (the tiny real ONNX model the
    /// Audio tests use; its one-voice threshold 0.70 is explained there), and the threshold flag reaching it.</summary>
    [Fact]
    public void A_speaker_model_separates_a_mono_call_and_its_threshold_is_taken_from_the_flag()
    {
        string[] clips = ["en/hifitts6097_astralplane_04_leadbeater_0040.wav", "en/ljspeech_LJ001-0004.wav",
            "en/hifitts6097_bambatse_06_haggard_0163.wav", "en/ljspeech_LJ001-0002.wav"];
        var call = TestCallBuilder.Conversation(1.0, clips.Select(RepositoryPaths.Speech).ToList()).Build(Path.Combine(Scratch(), "mono-two-voices.wav"), mono: true);
        var model = OnnxModelFile.AverageSpectrum(Path.Combine(Scratch(), "average-spectrum.onnx"));

        var (exit, stdout, stderr) = Run("analyze", call.Path, "--speaker-model", model, "--max-voice-similarity", "0.7");

        Assert.True(exit == 0, stderr);
        using (var json = JsonDocument.Parse(stdout))
        {
            Assert.Equal("onnx-embedding", json.RootElement.GetProperty("separation").GetProperty("method").GetString());
            Assert.Equal(["agent", "customer"], json.RootElement.GetProperty("speakers").EnumerateObject().Select(p => p.Name));
        }

        (exit, stdout, stderr) = Run("analyze", call.Path, "--speaker-model", model, "--max-voice-similarity", "-1");

        Assert.True(exit == 0, stderr);
        using (var json = JsonDocument.Parse(stdout))
        {
            var separation = json.RootElement.GetProperty("separation");
            Assert.Equal("none", separation.GetProperty("method").GetString());
            Assert.Contains("speaker embeddings are too alike", separation.GetProperty("reason").GetString());
        }
    }

    private static QaProcess.Result Run(params string[] args) =>
        QaProcess.Run(new Dictionary<string, string> { [SileroVad.ModelPathVariable] = RepositoryPaths.Model("silero_vad.onnx") }, args);

    /// <summary>Generated recordings, under the test output (git-ignored bin/).</summary>
    private static string Scratch() => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "generated", "analyze")).FullName;
}
