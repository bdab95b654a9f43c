using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.Wav;

namespace QaPipeline.Audio.Tests.Wav;

/// <summary>WAV files written through NAudio read back exactly through the product's own reader (real ffmpeg) and
/// header check.</summary>
public sealed class PcmWavTests
{
    [Fact]
    public void Stereo_samples_written_read_back_through_ffmpeg_on_their_own_channels()
    {
        const int rate = 16000;
        var left = Enumerable.Range(0, rate).Select(i => (float)Math.Sin(i * 2 * Math.PI * 440 / rate) * 0.5f).ToArray();
        var right = Enumerable.Range(0, rate).Select(i => i < rate / 2 ? 0f : 0.25f).ToArray();
        right[10] = 3f; // out of range: clipped, not wrapped round to a negative sample
        var path = Path.Combine(TestEnvironment.ScratchDirectory("wav"), "stereo.wav");

        PcmWav.Write(path, rate, left, right);

        var decoded = new AudioDecoder().DecodeToMemory(path);
        Assert.Equal(2, decoded.Channels.Length);
        Assert.Equal(1.0, decoded.DurationSeconds, 3);
        for (var i = 0; i < rate; i += 97)
        {
            // 16-bit quantisation: one step is 1/32767.
            Assert.Equal(left[i], decoded.Channels[0][i], tolerance: 1e-4);
            Assert.Equal(Math.Clamp(right[i], -1f, 1f), decoded.Channels[1][i], tolerance: 1e-4);
        }
        Assert.True(decoded.Channels[1][10] > 0.99f);
    }

    [Fact]
    public void Pcm_wrapped_in_a_header_declares_its_length_and_a_cut_copy_is_noticed()
    {
        var pcm = new byte[4000]; // 0.25 s of 8 kHz mono 16-bit
        new Random(7).NextBytes(pcm);
        var wav = PcmWav.FromPcm16(8000, 1, pcm);
        Assert.InRange(wav.Length - pcm.Length, 44, 64); // RIFF, fmt and data chunk headers, then the samples
        Assert.Equal(pcm, wav[^pcm.Length..]);

        var dir = TestEnvironment.ScratchDirectory("wav");
        var whole = Path.Combine(dir, "whole.wav");
        var cut = Path.Combine(dir, "cut.wav");
        File.WriteAllBytes(whole, wav);
        File.WriteAllBytes(cut, wav[..^(pcm.Length / 2)]);
        Assert.Equal((0.25, 0.25), WavHeader.DeclaredDuration(whole));
        Assert.Equal((0.25, 0.125), WavHeader.DeclaredDuration(cut));
    }
}
