using NAudio.Utils;
using NAudio.Wave;

namespace QaPipeline.Audio.Wav;

/// <summary>
/// Writes 16-bit PCM WAV files: the one container every tool (ffmpeg, sox, browsers, telephony platforms) reads,
/// used for generated calls (benchmarks, tests, demo data). NAudio's <see cref="WaveFileWriter"/> writes the RIFF
/// header and fixes up its sizes, so no caller (tests, the demo seed, the web app's clips through
/// <see cref="PcmRecording"/>) hand-writes one. Reading and decoding stay with ffmpeg
/// (<see cref="Decoding.AudioDecoder"/>): NAudio's managed decoders cover PCM and G.711 only on Linux and took
/// 0.5–0.7 s on a 5-minute stereo µ-law call against ffmpeg's 0.17–0.25 s.
/// </summary>
public static class PcmWav
{
    /// <summary>Writes <paramref name="channels"/> (equal-length float samples, -1..1, clipped beyond) interleaved.</summary>
    public static void Write(string path, int sampleRate, params float[][] channels)
    {
        using var file = File.Create(path);
        Write(file, sampleRate, channels);
    }

    /// <summary>As <see cref="Write(string,int,float[][])"/>, to a stream (left open).</summary>
    public static void Write(Stream output, int sampleRate, params float[][] channels)
    {
        ArgumentOutOfRangeException.ThrowIfZero(channels.Length);
        var frames = channels[0].Length;
        if (channels.Any(c => c.Length != frames)) throw new ArgumentException("channels differ in length", nameof(channels));
        using var writer = new WaveFileWriter(new IgnoreDisposeStream(output), new WaveFormat(sampleRate, 16, channels.Length));
        var buffer = new byte[Math.Min(frames, 8192) * channels.Length * 2];
        for (var start = 0; start < frames; start += 8192)
        {
            var n = Math.Min(8192, frames - start);
            var at = 0;
            for (var i = start; i < start + n; i++)
            {
                foreach (var channel in channels)
                {
                    var s = (short)Math.Round(Math.Clamp(channel[i], -1f, 1f) * short.MaxValue);
                    buffer[at++] = (byte)s;
                    buffer[at++] = (byte)(s >> 8);
                }
            }
            writer.Write(buffer, 0, at);
        }
    }

    /// <summary>A WAV file's bytes around raw 16-bit little-endian PCM.</summary>
    public static byte[] FromPcm16(int sampleRate, int channels, ReadOnlySpan<byte> pcm)
    {
        using var memory = new MemoryStream(pcm.Length + 64);
        using (var writer = new WaveFileWriter(new IgnoreDisposeStream(memory), new WaveFormat(sampleRate, 16, channels)))
            writer.Write(pcm);
        return memory.ToArray();
    }
}
