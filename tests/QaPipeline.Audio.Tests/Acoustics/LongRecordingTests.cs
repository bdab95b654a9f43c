using System.Diagnostics;
using QaPipeline.Audio.Acoustics;
using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.Tests.Decoding;
using Xunit.Abstractions;

namespace QaPipeline.Audio.Tests.Acoustics;

/// <summary>Runs alone, so the process's working set is this test's.</summary>
[CollectionDefinition(nameof(LongRecordings), DisableParallelization = true)]
public sealed class LongRecordings;

[Collection(nameof(LongRecordings))]
public class LongRecordingTests(ITestOutputHelper output)
{
    [Fact]
    public void One_hour_stereo_call_is_analysed_in_bounded_memory()
    {
        // One hour of 8 kHz FLAC: the agent repeats a 3.8 s sentence every 8 s, the customer channel is silent.
        // Decoded whole it would be 3600 s × 16000 × 2 channels × 4 bytes = 460 MB of floats.
        var dir = TestEnvironment.ScratchDirectory("long");
        var padded = Path.Combine(dir, "sentence-every-8s.wav");
        var call = Path.Combine(dir, "one-hour.flac");
        AudioDecoderTests.Run("ffmpeg", "-v", "error", "-y", "-i", TestEnvironment.Speech("zh/paddlespeech_zh.wav"), "-af", "apad=whole_dur=8", padded);
        AudioDecoderTests.Run("ffmpeg", "-v", "error", "-y", "-stream_loop", "449", "-i", padded, "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono",
            "-filter_complex", "[0:a][1:a]join=inputs=2:channel_layout=stereo[a]", "-map", "[a]", "-t", "3600", "-ar", "8000", "-c:a", "flac", call);
        using var vad = TestEnvironment.OpenVad();
        var analyzer = new AcousticAnalyzer(new AudioDecoder(), vad);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        long peak = baseline;
        using var sampler = new Timer(_ =>
        {
            using var p = Process.GetCurrentProcess();
            Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), p.WorkingSet64));
        }, null, 0, 50);
        var clock = Stopwatch.StartNew();

        var facts = analyzer.Analyze(call);

        var growthMb = (Interlocked.Read(ref peak) - baseline) / (1024.0 * 1024.0);
        output.WriteLine($"1 h stereo FLAC analysed in {clock.Elapsed.TotalSeconds:0.0} s; working set grew by at most {growthMb:0} MB " +
                         $"(baseline {baseline / (1024.0 * 1024.0):0} MB); {facts.Speakers["agent"].Segments.Count} agent segments, {facts.Silences.Count} silences");
        Assert.InRange(facts.DurationSeconds, 3599.9, 3600.1);
        Assert.Empty(facts.Speakers["customer"].Segments);
        var perSentence = vad.DetectSpeech(new AudioDecoder().Decode(padded))[0].Sum(s => s.Duration);
        Assert.InRange(facts.Speakers["agent"].SpeechSeconds, 450 * perSentence * 0.97, 450 * perSentence * 1.03);
        Assert.InRange(facts.Silences.Count, 430, 450);
        Assert.All(facts.Silences, s => Assert.InRange(s.Duration, 3.0, 5.5));
        Assert.True(growthMb < 200, $"working set grew by {growthMb:0} MB while streaming a 1-hour call");
    }
}
