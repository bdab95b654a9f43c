using QaPipeline.Audio.VoiceActivity;

namespace QaPipeline.Audio.Tests.VoiceActivity;

/// <summary>The hysteresis on its own, fed probabilities per 32 ms window.</summary>
public class SpeechSegmenterTests
{
    private const double Window = SileroVad.WindowSamples / (double)SileroVad.SampleRate; // 0.032 s

    [Fact]
    public void A_blip_shorter_than_min_speech_is_dropped()
    {
        var segments = Segment(new VadOptions { SpeechPadMs = 0 }, (0.1f, 30), (0.9f, 5), (0.1f, 30));
        Assert.Empty(segments); // 5 windows = 160 ms < 250 ms
    }

    [Fact]
    public void A_pause_shorter_than_min_silence_does_not_split_speech()
    {
        var segments = Segment(new VadOptions { SpeechPadMs = 0, MinSilenceMs = 300 },
            (0.1f, 10), (0.9f, 20), (0.1f, 5), (0.9f, 20), (0.1f, 30));
        var only = Assert.Single(segments);
        Assert.Equal(10 * Window, only.Start, 3);
        Assert.Equal(55 * Window, only.End, 3);
    }

    [Fact]
    public void Probabilities_between_the_thresholds_keep_speech_going()
    {
        // 0.4 is below the 0.5 threshold but above the 0.35 release threshold.
        var segments = Segment(new VadOptions { SpeechPadMs = 0, MinSilenceMs = 0 }, (0.9f, 10), (0.4f, 20), (0.1f, 10));
        Assert.Equal(30 * Window, Assert.Single(segments).End, 3);
    }

    [Fact]
    public void Segments_are_padded_and_speech_running_to_the_end_is_closed()
    {
        var segments = Segment(new VadOptions { SpeechPadMs = 64 }, (0.1f, 10), (0.9f, 20), (0.1f, 20), (0.9f, 20));
        Assert.Equal(2, segments.Count);
        Assert.Equal(10 * Window - 0.064, segments[0].Start, 3);
        Assert.Equal(30 * Window + 0.064, segments[0].End, 3);
        Assert.Equal(70 * Window, segments[1].End, 3); // clamped to the audio's end
    }

    private static IReadOnlyList<SpeechSegment> Segment(VadOptions options, params (float P, int Windows)[] runs)
    {
        var segmenter = new SpeechSegmenter(options);
        foreach (var (p, n) in runs)
            for (var i = 0; i < n; i++) segmenter.Push(p);
        return segmenter.Finish(segmenter.Windows * SileroVad.WindowSamples);
    }
}
