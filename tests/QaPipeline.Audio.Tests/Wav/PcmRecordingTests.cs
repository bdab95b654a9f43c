using System.Runtime.InteropServices;
using QaPipeline.Audio.Wav;

namespace QaPipeline.Audio.Tests.Wav;

/// <summary>The in-memory recording behind clips and toned playback reads the one writer's files sample for sample.</summary>
public sealed class PcmRecordingTests
{
    private static short[] Noise(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (short)random.Next(short.MinValue, short.MaxValue)).ToArray();
    }

    [Fact]
    public void A_stereo_wav_reads_back_sample_for_sample_and_a_cut_keeps_the_frames_between_the_times()
    {
        var samples = Noise(2 * 8000, 3); // 1 s of 8 kHz stereo, interleaved
        var wav = PcmWav.FromPcm16(8000, 2, MemoryMarshal.AsBytes(samples.AsSpan()));

        var recording = PcmRecording.Parse(wav) ?? throw new InvalidOperationException("not read as 16-bit PCM");
        Assert.Equal((2, 8000, 1.0), (recording.Channels, recording.SampleRate, recording.DurationSeconds));
        Assert.Equal(samples, recording.Samples);

        var cut = recording.Cut(0.25, 0.5);
        Assert.Equal(samples[(2 * 2000)..(2 * 4000)], cut.Samples);
        var again = PcmRecording.Parse(cut.ToBytes())!;
        Assert.Equal(cut.Samples, again.Samples);
    }

    [Fact]
    public void A_tone_replaces_only_the_span_it_covers_on_every_channel()
    {
        var samples = Noise(2 * 8000, 5);
        var recording = PcmRecording.Parse(PcmWav.FromPcm16(8000, 2, MemoryMarshal.AsBytes(samples.AsSpan())))!;
        recording.ToneOver(0.5, 0.75);
        Assert.Equal(samples[..(2 * 4000)], recording.Samples[..(2 * 4000)]);
        Assert.Equal(samples[(2 * 6000)..], recording.Samples[(2 * 6000)..]);
        for (var f = 4000; f < 6000; f++) Assert.Equal(recording.Samples[2 * f], recording.Samples[2 * f + 1]);
        Assert.InRange(recording.Samples[(2 * 4000)..(2 * 6000)].Max(s => Math.Abs((int)s)), 9000, 10000); // a third of full scale
    }

    [Fact]
    public void Anything_but_16_bit_pcm_is_left_to_the_decoder()
    {
        var wav = PcmWav.FromPcm16(8000, 1, new byte[800]);
        wav[34] = 8; // bits per sample of the fmt chunk: 8-bit
        Assert.Null(PcmRecording.Parse(wav));
        Assert.Null(PcmRecording.Parse("not a wav file at all, just some text"u8.ToArray()));
    }
}
