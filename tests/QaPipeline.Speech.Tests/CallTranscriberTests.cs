using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.Scoring.Transcripts;
using Xunit.Abstractions;

namespace QaPipeline.Speech.Tests;

/// <summary>
/// The whole speech stage on a stereo test call built from real clips at known offsets: real ffmpeg decoding,
/// real Silero VAD, real Whisper.net on every batch (the weightless tiny test model), and what it heard replaced
/// by each clip's reference transcript as a recorded token stream (<see cref="RecordedSpeechRecognizer"/>), since
/// the test weights recognise nothing. What is checked: who spoke, when, what (each clip's words on its own
/// speaker), that silence was not sent to Whisper, and that the result is one time-ordered transcript in the
/// product's schema.
/// </summary>
[Collection("whisper")]
public sealed class CallTranscriberTests(TinyModelFixture fixture, ITestOutputHelper output)
{
    // Agent speaks 1.0-5.99 s (paddlespeech_zh, 5.0 s); customer 8.0-13.55 s (funasr_asr_example_zh, 5.55 s); call 20 s.
    private const double AgentStart = 1.0, AgentEnd = 6.0, CustomerStart = 8.0, CustomerEnd = 13.55, CallSeconds = 20.0;

    private static readonly Lazy<string> StereoCall = new(() => BuildCall("call-stereo.wav", stereo: true));
    private static readonly Lazy<string> MonoCall = new(() => BuildCall("call-mono.wav", stereo: false));

    private static string BuildCall(string name, bool stereo)
    {
        var dir = TestEnvironment.ScratchDirectory("calls");
        string Channel(string clip, double at, string file)
        {
            var path = Path.Combine(dir, file);
            TestEnvironment.Run("sox", TestEnvironment.Speech(clip), "-r", "16000", "-c", "1", path, "pad", $"{at}", $"{CallSeconds}", "trim", "0", $"{CallSeconds}");
            return path;
        }
        var agent = Channel("zh/paddlespeech_zh.wav", AgentStart, "agent.wav");
        var customer = Channel("zh/funasr_asr_example_zh.wav", CustomerStart, "customer.wav");
        var call = Path.Combine(dir, name);
        // The mono mix at full level (sox -m halves each input by default): the two turns never overlap, and a
        // halved quiet clip falls under the recorded recogniser's voicing threshold.
        if (stereo) TestEnvironment.Run("sox", "-M", agent, customer, call);
        else TestEnvironment.Run("sox", "-m", "-v", "1", agent, "-v", "1", customer, call);
        return call;
    }

    private static string Reference(string clip) => File.ReadAllText(Path.ChangeExtension(TestEnvironment.Speech(clip), ".txt")).Trim();

    private static readonly string AgentWords = Reference("zh/paddlespeech_zh.wav");
    private static readonly string CustomerWords = Reference("zh/funasr_asr_example_zh.wav");

    private Transcript Transcribe(string call, CallTranscriptionOptions options, IReadOnlyList<string>? transcripts = null)
    {
        var vocabulary = QaPipeline.Speech.Whisper.WhisperModelFile.Check(TestEnvironment.TinyModel).Vocabulary;
        var stereo = call == StereoCall.Value;
        // The engine sees one channel at a time: agent first, then customer (or the mono mix: both, in order).
        var recorded = new RecordedSpeechRecognizer(fixture.Recognizer, vocabulary,
            transcripts ?? (stereo && options.AgentChannel == AgentChannel.Right ? [CustomerWords, AgentWords] : [AgentWords, CustomerWords]));
        using var vad = new SileroVad(TestEnvironment.VadModelPath);
        var log = new List<string>();
        var transcript = new CallTranscriber(recorded, new AudioDecoder(), vad)
            .Transcribe(call, options with { Threads = 2, BeamSize = 1, Log = log.Add });
        foreach (var line in log) output.WriteLine(line);
        output.WriteLine(TranscriptFormat.ToJson(transcript with { Segments = transcript.Segments.Select(s => s with { Tokens = null }).ToList() }));
        return transcript;
    }

    [Fact]
    public void Stereo_call_becomes_one_time_ordered_transcript_with_each_channel_as_its_speaker()
    {
        var t = Transcribe(StereoCall.Value, new CallTranscriptionOptions { Language = "zh", AgentChannel = AgentChannel.Left });

        Assert.Equal(TranscriptSource.Whisper, t.Source);
        Assert.Equal("zh", t.Language);
        Assert.Equal(CallSeconds, t.DurationSeconds!.Value, 1);
        Assert.Equal("for-tests-ggml-tiny.bin", t.Transcription!.Model);
        Assert.True(t.IsTimed);
        var agent = t.Segments.Where(s => s.Speaker == SpeakerRole.Agent).ToList();
        var customer = t.Segments.Where(s => s.Speaker == SpeakerRole.Customer).ToList();
        Assert.NotEmpty(agent);
        Assert.NotEmpty(customer);
        // Each speaker's text lies where that speaker talked (VAD padding allowed), never in the other's turn.
        Assert.All(agent, s => Assert.InRange(s.Start!.Value, AgentStart - 0.6, AgentEnd) );
        Assert.All(agent, s => Assert.InRange(s.End!.Value, AgentStart, AgentEnd + 0.6));
        Assert.All(customer, s => Assert.InRange(s.Start!.Value, CustomerStart - 0.6, CustomerEnd));
        Assert.All(customer, s => Assert.InRange(s.End!.Value, CustomerStart, CustomerEnd + 0.6));
        Assert.Equal(t.Segments.OrderBy(s => s.Start).ToList(), t.Segments);
        Assert.All(t.Segments, s => Assert.InRange(s.Confidence!.Value, 0.0, 1.0));
        Assert.All(t.Segments, s => Assert.NotEmpty(s.Tokens!));
        // The words: each clip's transcript on its own speaker, with word-level evidence taken from the segment.
        // (The test models' vocabulary stores the byte pieces of characters it has no whole token for as U+FFFD,
        // so those characters have no token text here; SegmentMappingTests covers joining byte pieces.)
        Assert.Equal(AgentWords, string.Concat(agent.Select(s => s.Text)));
        Assert.Equal(CustomerWords, string.Concat(customer.Select(s => s.Text)));
        Assert.All(t.Segments, s => Assert.All(s.Tokens!, k => Assert.Contains(k.Text, s.Text)));
        Assert.All(t.Segments, s => Assert.All(s.Tokens!, k => Assert.InRange(k.Start!.Value, s.Start!.Value - 0.01, s.End!.Value + 0.01)));
        // Only voiced audio went to Whisper: the two clips (10.55 s, their own leading and trailing silence
        // included) less what the VAD heard as silence, plus padding; not 2 x 20 s of channel.
        Assert.InRange(t.Transcription.AudioSeconds!.Value, 6.0, 12.0);
        // The JSON round-trips through the one transcript schema qa score reads.
        var reread = TranscriptFormat.Parse(TranscriptFormat.ToJson(t));
        Assert.Equal(t.Segments.Count, reread.Segments.Count);
    }

    [Fact]
    public void Agent_on_the_right_channel_swaps_the_roles()
    {
        var t = Transcribe(StereoCall.Value, new CallTranscriptionOptions { Language = "zh", AgentChannel = AgentChannel.Right });
        Assert.All(t.Segments.Where(s => s.Speaker == SpeakerRole.Agent), s => Assert.True(s.Start >= CustomerStart - 0.6));
        Assert.All(t.Segments.Where(s => s.Speaker == SpeakerRole.Customer), s => Assert.True(s.End <= AgentEnd + 0.6));
        Assert.Contains(t.Segments, s => s.Speaker == SpeakerRole.Agent);
    }

    [Fact]
    public void Mono_call_is_one_mixed_speaker()
    {
        var t = Transcribe(MonoCall.Value, new CallTranscriptionOptions { Language = "zh" });
        Assert.NotEmpty(t.Segments);
        Assert.All(t.Segments, s => Assert.Equal(SpeakerRole.Mixed, s.Speaker));
    }

    [Fact]
    public void Mono_call_with_separated_speaker_turns_is_transcribed_turn_by_turn_with_roles_and_role_confidence()
    {
        // The turns the audio stage's speaker separation reports for this call (qa analyze's separation.turns).
        QaPipeline.Scoring.Acoustics.RoleTurn[] turns =
        [
            new(AgentStart, AgentEnd, "agent", 0.97),
            new(CustomerStart, CustomerEnd, "customer", 0.64),
        ];

        var t = Transcribe(MonoCall.Value, new CallTranscriptionOptions { Language = "zh", SpeakerTurns = turns });

        Assert.Contains(t.Segments, s => s.Speaker == SpeakerRole.Agent);
        Assert.Contains(t.Segments, s => s.Speaker == SpeakerRole.Customer);
        Assert.DoesNotContain(t.Segments, s => s.Speaker == SpeakerRole.Mixed);
        Assert.All(t.Segments.Where(s => s.Speaker == SpeakerRole.Agent), s =>
        {
            Assert.InRange(s.Start!.Value, AgentStart - 0.3, AgentEnd);
            Assert.Equal(0.97, s.RoleConfidence);
        });
        Assert.All(t.Segments.Where(s => s.Speaker == SpeakerRole.Customer), s =>
        {
            Assert.InRange(s.Start!.Value, CustomerStart - 0.3, CustomerEnd);
            Assert.Equal(0.64, s.RoleConfidence);
        });
        // Only the turns went to Whisper, nothing of the silence around them.
        Assert.InRange(t.Transcription!.AudioSeconds!.Value, 0, (AgentEnd - AgentStart) + (CustomerEnd - CustomerStart) + 1.5);
    }

    [Fact]
    public void Without_gating_every_second_of_both_channels_goes_to_whisper()
    {
        var t = Transcribe(StereoCall.Value, new CallTranscriptionOptions { Language = "zh", VoiceActivityGating = false });
        Assert.Equal(2 * CallSeconds, t.Transcription!.AudioSeconds!.Value, 1);
    }

    [Fact]
    public void Auto_language_is_detected_once_and_held_for_the_call()
    {
        var t = Transcribe(StereoCall.Value, new CallTranscriptionOptions { Language = "auto" });
        Assert.Matches("^[a-z]{2,3}$", t.Language);
    }
}
