using QaPipeline.Audio.Acoustics;
using QaPipeline.Audio.Decoding;
using QaPipeline.TestSupport.TestCalls;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Audio.Tests.Acoustics;

/// <summary>
/// Stereo test calls built from real clips at known offsets (<see cref="TestCallBuilder.ScriptedStereoCall"/>, agent = left):
///  1.0  agent speaks, 6.2 customer answers;
///  ~10.0 → 15.0  dead air (about 5 s);
///  15.0 agent, 17.5 customer talks over the agent's last 1.6 s (customer interrupts);
///  ~26.6 → 30.0  dead air (about 3.4 s);
///  30.0 customer, 33.0 agent talks over the customer's last 2 s (agent interrupts); 36.9 customer closes.
/// </summary>
public class AcousticAnalyzerTests
{
    private const double Tolerance = 0.3;
    private static readonly Lazy<TestCall> Wav = new(() => Build("call.wav"));

    [Fact]
    public void Dead_air_in_a_stereo_call_is_found_within_300_ms()
    {
        var call = Wav.Value;
        var facts = Analyze(call.Path);

        var truth = call.Silences(3.0);
        Assert.Equal(2, truth.Count);
        Assert.Equal(truth.Count, facts.Silences.Count);
        foreach (var (expected, actual) in truth.Zip(facts.Silences))
        {
            Assert.InRange(actual.Start, expected.Start - Tolerance, expected.Start + Tolerance);
            Assert.InRange(actual.End, expected.End - Tolerance, expected.End + Tolerance);
        }
    }

    [Fact]
    public void Overlaps_are_found_within_300_ms_with_the_interrupter()
    {
        var call = Wav.Value;
        var facts = Analyze(call.Path);

        var truth = call.Overlaps(0.5);
        Assert.Equal([CallChannel.Right, CallChannel.Left], truth.Select(o => o.By));
        Assert.Equal(truth.Count, facts.Overlaps.Count);
        foreach (var (expected, actual) in truth.Zip(facts.Overlaps))
        {
            Assert.InRange(actual.Start, expected.Start - Tolerance, expected.Start + Tolerance);
            Assert.InRange(actual.End, expected.End - Tolerance, expected.End + Tolerance);
            Assert.Equal(expected.By == CallChannel.Left ? "agent" : "customer", actual.By);
        }
    }

    [Fact]
    public void Speaking_time_and_talk_ratio_follow_the_placed_speech()
    {
        var call = Wav.Value;
        var facts = Analyze(call.Path);

        Assert.Equal(2, facts.Channels);
        Assert.InRange(facts.DurationSeconds, 41.95, 42.05);
        Assert.InRange(facts.Speakers["agent"].SpeechSeconds, call.SpeechSeconds(CallChannel.Left) - 1.0, call.SpeechSeconds(CallChannel.Left) + 1.0);
        Assert.InRange(facts.Speakers["customer"].SpeechSeconds, call.SpeechSeconds(CallChannel.Right) - 1.0, call.SpeechSeconds(CallChannel.Right) + 1.0);
        var expectedAgentRatio = call.SpeechSeconds(CallChannel.Left) / (call.SpeechSeconds(CallChannel.Left) + call.SpeechSeconds(CallChannel.Right));
        Assert.InRange(facts.TalkRatio["agent"], expectedAgentRatio - 0.05, expectedAgentRatio + 0.05);
        Assert.Equal(1.0, facts.TalkRatio["agent"] + facts.TalkRatio["customer"], 6);
    }

    [Fact]
    public void Agent_on_the_right_channel_swaps_the_roles()
    {
        var call = Wav.Value;
        var left = Analyze(call.Path);

        var right = Analyze(call.Path, new AcousticAnalysisOptions { AgentChannel = AgentChannel.Right });

        Assert.Equal(left.Speakers["agent"].Segments, right.Speakers["customer"].Segments);
        Assert.Equal(left.Speakers["customer"].Segments, right.Speakers["agent"].Segments);
        Assert.Equal(left.Overlaps.Select(o => o.By == "agent" ? "customer" : "agent"), right.Overlaps.Select(o => o.By));
    }

    [Fact]
    public void Min_silence_threshold_decides_which_dead_air_is_reported()
    {
        var facts = Analyze(Wav.Value.Path, new AcousticAnalysisOptions { MinSilenceSeconds = 4.0 });

        var only = Assert.Single(facts.Silences);
        Assert.InRange(only.Duration, 4.0, 5.5);
    }

    public static TheoryData<string, string[]> TelephoneFormats() => new()
    {
        { "call-mulaw-8k.wav", ["-ar", "8000", "-c:a", "pcm_mulaw"] },
        { "call-alaw-8k.wav", ["-ar", "8000", "-c:a", "pcm_alaw"] },
        { "call.mp3", ["-ar", "8000", "-c:a", "libmp3lame", "-b:a", "24k"] },
        // Opus codes stereo as mono at low bit rates; stereo call recorders use 32 kbit/s and up.
        { "call.opus", ["-c:a", "libopus", "-b:a", "48k"] },
    };

    [Theory]
    [MemberData(nameof(TelephoneFormats))]
    public void Telephone_encodings_of_the_same_call_give_the_same_silences_and_overlaps(string name, string[] encoder)
    {
        var call = Build(name, encoder: encoder);

        var facts = Analyze(call.Path);

        Assert.Equal(call.Silences(3.0).Count, facts.Silences.Count);
        foreach (var (expected, actual) in call.Silences(3.0).Zip(facts.Silences))
        {
            Assert.InRange(actual.Start, expected.Start - Tolerance, expected.Start + Tolerance);
            Assert.InRange(actual.End, expected.End - Tolerance, expected.End + Tolerance);
        }
        Assert.Equal(call.Overlaps(0.5).Select(o => o.By == CallChannel.Left ? "agent" : "customer"), facts.Overlaps.Select(o => o.By));
    }

    [Fact]
    public void Mono_call_goes_through_speaker_separation_and_keeps_its_dead_air()
    {
        // This script's customer side is several different voices, so whether it separates is not the point here
        // (Separation/SpeakerSeparationTests is); that mono is separated, and silences stay exact, is.
        var call = Build("call-mono.wav", mono: true);

        var facts = Analyze(call.Path);

        Assert.Equal(1, facts.Channels);
        Assert.NotNull(facts.Separation);
        Assert.Equal(facts.Separation.Separated, facts.RolesKnown);
        Assert.Equal(1.0, facts.TalkRatio.Values.Sum(), 3);
        Assert.Equal(call.Silences(3.0).Count, facts.Silences.Count);
        foreach (var (expected, actual) in call.Silences(3.0).Zip(facts.Silences))
            Assert.InRange(actual.Start, expected.Start - Tolerance, expected.Start + Tolerance);
    }

    [Fact]
    public void Stereo_file_with_the_same_audio_on_both_channels_is_analysed_as_mono()
    {
        var dir = TestEnvironment.ScratchDirectory("calls");
        var mono = Build("call-mono-for-dup.wav", mono: true);
        var duplicated = Path.Combine(dir, "call-duplicated-stereo.wav");
        Decoding.AudioDecoderTests.Run("ffmpeg", "-v", "error", "-y", "-i", mono.Path, "-ac", "2", duplicated);

        var facts = Analyze(duplicated);

        Assert.Equal(2, facts.Channels);
        Assert.NotNull(facts.Separation); // analysed as one channel: separated, not two parties talking over each other
        Assert.True(facts.Overlaps.Count <= 2, $"{facts.Overlaps.Count} overlaps: the duplicated channels were compared as two parties");
    }

    [Fact]
    public void Longest_monologue_and_hold_candidates_are_measured()
    {
        // Agent talks in three sentences with short pauses (one monologue), then a 35 s hold, then the customer.
        var clips = TestCallBuilder.CleanClips();
        var a = TestCallBuilder.ClipSeconds(clips[0]);
        var b = TestCallBuilder.ClipSeconds(clips[2]);
        var c = TestCallBuilder.ClipSeconds(clips[4]);
        var end = 1.0 + a + 0.8 + b + 0.8 + c;
        var call = new TestCallBuilder(end + 35 + 6)
            .Add(CallChannel.Left, 1.0, clips[0])
            .Add(CallChannel.Left, 1.0 + a + 0.8, clips[2])
            .Add(CallChannel.Left, 1.0 + a + 0.8 + b + 0.8, clips[4])
            .Add(CallChannel.Right, end + 35, clips[1])
            .Build(Path.Combine(TestEnvironment.ScratchDirectory("calls"), "monologue-hold.wav"));

        var facts = Analyze(call.Path);

        var monologue = facts.Dynamics!.LongestMonologue["agent"];
        Assert.InRange(monologue.Start, 1.0 - Tolerance, 1.0 + Tolerance);
        Assert.InRange(monologue.End, end - Tolerance, end + Tolerance);
        var hold = Assert.Single(facts.Dynamics.HoldCandidates);
        Assert.InRange(hold.Duration, 35 - 2 * Tolerance, 35 + 2 * Tolerance);
    }

    [Fact]
    public void Facts_survive_the_contract_json_round_trip_with_dynamics()
    {
        var facts = Analyze(Wav.Value.Path);

        var parsed = AcousticFactsJson.Parse(AcousticFactsJson.Write(facts));

        Assert.Equal(AcousticFactsJson.Write(facts), AcousticFactsJson.Write(parsed));
        Assert.Equal(facts.Overlaps.Count, parsed.Overlaps.Count);
        Assert.NotNull(parsed.Dynamics);
    }

    [Fact]
    public void A_generated_two_minute_conversation_has_each_side_speaking_about_half_the_time()
    {
        var call = TestCallBuilder.Conversation(2, TestCallBuilder.CleanClips())
            .Build(Path.Combine(TestEnvironment.ScratchDirectory("calls"), "conversation-2min.wav"));

        var facts = Analyze(call.Path);

        foreach (var (side, speaker) in new[] { (CallChannel.Left, "agent"), (CallChannel.Right, "customer") })
        {
            Assert.InRange(call.SpeechSeconds(side) / call.LengthSeconds, 0.35, 0.6);
            Assert.InRange(facts.Speakers[speaker].SpeechSeconds, call.SpeechSeconds(side) * 0.9, call.SpeechSeconds(side) * 1.1);
        }
        Assert.Equal(call.Silences(3.0).Count, facts.Silences.Count);
        Assert.Equal(call.Overlaps(0.5).Select(o => o.By == CallChannel.Left ? "agent" : "customer"), facts.Overlaps.Select(o => o.By));
    }

    [Fact]
    public void A_call_where_nobody_speaks_has_no_silences_and_zero_talk_ratio()
    {
        var facts = AcousticAnalyzer.Measure(60, 2, [[], []], new AcousticAnalysisOptions());

        Assert.Empty(facts.Silences);
        Assert.Empty(facts.Overlaps);
        Assert.Equal(0.0, facts.TalkRatio["agent"]);
        Assert.Equal(0.0, facts.TalkRatio["customer"]);
    }

    [Fact]
    public void A_breath_inside_the_first_speakers_sentence_does_not_make_them_the_interrupter()
    {
        // Customer speaks 0–10 s with a 200 ms breath at 5 s; the agent cuts in at 4 s until 7 s.
        IReadOnlyList<SpeechSegment> agent = [new(4.0, 7.0)];
        IReadOnlyList<SpeechSegment> customer = [new(0.0, 5.0), new(5.2, 10.0)];

        var facts = AcousticAnalyzer.Measure(12, 2, [agent, customer], new AcousticAnalysisOptions());

        var overlap = Assert.Single(facts.Overlaps);
        Assert.Equal("agent", overlap.By);
        Assert.Equal(4.0, overlap.Start, 3);
        Assert.Equal(7.0, overlap.End, 3);
    }

    private static TestCall Build(string name, bool mono = false, string[]? encoder = null) =>
        TestCallBuilder.ScriptedStereoCall().Build(Path.Combine(TestEnvironment.ScratchDirectory("calls"), name), mono, encoder ?? []);

    private static AcousticFacts Analyze(string path, AcousticAnalysisOptions? options = null)
    {
        using var vad = TestEnvironment.OpenVad();
        return new AcousticAnalyzer(new AudioDecoder(), vad).Analyze(path, options);
    }
}
