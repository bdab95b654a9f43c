using QaPipeline.TestSupport;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Cli.Tests.Speech;

/// <summary><c>qa transcribe</c> as a process: JSON on stdout, one-line errors and exit 2 for bad input.</summary>
public sealed class TranscribeCommandTests
{
    /// <summary>The whisper.cpp test model and Silero VAD as setup.sh puts them under models/ (from ../shared/models).</summary>
    private static string Model(string file) => RepositoryPaths.Model(file);

    private static readonly string TinyModel = Model("for-tests-ggml-tiny.bin");

    private static string Speech(string relative) => RepositoryPaths.Speech(relative);

    private static QaProcess.Result Qa(params string[] args)
    {
        return QaProcess.Run(new Dictionary<string, string> { ["QA_VAD_MODEL"] = Model("silero_vad.onnx") }, args);
    }

    [Fact]
    public void Transcribes_a_recording_into_transcript_json_with_model_language_and_timing()
    {
        var (exit, stdout, stderr) = Qa("transcribe", Speech("zh/paddlespeech_zh.wav"),
            "--model", TinyModel, "--language", "zh", "--beam-size", "1", "--threads", "2");
        Assert.True(exit == 0, stderr);
        var t = TranscriptFormat.Parse(stdout);
        Assert.Equal(TranscriptSource.Whisper, t.Source);
        Assert.Equal("zh", t.Language);
        Assert.Equal("for-tests-ggml-tiny.bin", t.Transcription!.Model);
        Assert.Equal(5.0, t.DurationSeconds!.Value, 1);
        Assert.True(t.Transcription.WhisperSeconds > 0 && t.Transcription.TotalSeconds >= t.Transcription.WhisperSeconds);
        Assert.Contains("peak memory", stderr);
    }

    [Fact]
    public void Missing_model_is_a_one_line_error_with_exit_code_2()
    {
        var (exit, stdout, stderr) = Qa("transcribe", Speech("zh/paddlespeech_zh.wav"), "--model", "/nonexistent/ggml-small.bin");
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Equal("qa: error: model file not found: /nonexistent/ggml-small.bin (see models/README.md to download one)", stderr.Trim());
    }

    [Fact]
    public void Unreadable_recording_and_bad_options_are_one_line_errors()
    {
        var notAudio = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "generated", "cli")).FullName, "notes.wav");
        File.WriteAllText(notAudio, "this is not audio");
        foreach (var args in new[]
                 {
                     new[] { "transcribe", notAudio, "--model", TinyModel },
                     ["transcribe", Speech("zh/paddlespeech_zh.wav"), "--model", TinyModel, "--language", "fr"],
                     ["transcribe", Speech("zh/paddlespeech_zh.wav"), "--model", TinyModel, "--agent-channel", "middle"],
                     ["transcribe", "/nonexistent/call.wav", "--model", TinyModel],
                 })
        {
            var (exit, stdout, stderr) = Qa(args);
            Assert.Equal(2, exit);
            Assert.Empty(stdout);
            Assert.StartsWith("qa: error: ", stderr);
            Assert.Single(stderr.Trim().Split('\n'));
        }
    }
}
