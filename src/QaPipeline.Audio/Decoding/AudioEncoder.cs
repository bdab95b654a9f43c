using System.Globalization;
using System.Runtime.InteropServices;

namespace QaPipeline.Audio.Decoding;

/// <summary>
/// Writes 16 kHz float PCM to a file in any format ffmpeg writes (the format follows the extension and
/// <c>outputArguments</c>, e.g. <c>-ar 8000 -c:a pcm_mulaw</c> for a G.711 recording). Benchmarks and tools build
/// test recordings with it; the product itself only reads audio.
/// </summary>
public sealed class AudioEncoder(AudioDecoderOptions? options = null)
{
    private readonly AudioDecoderOptions _options = options ?? new AudioDecoderOptions();

    /// <param name="channels">One array per channel, equal lengths, samples in [-1, 1] (clipped beyond).</param>
    public void Write(string path, IReadOnlyList<float[]> channels, params string[] outputArguments)
    {
        if (channels.Count is < 1 or > 2) throw new ArgumentException("one or two channels", nameof(channels));
        var length = channels[0].Length;
        var interleaved = new float[length * channels.Count];
        for (var i = 0; i < length; i++)
            for (var c = 0; c < channels.Count; c++)
                interleaved[i * channels.Count + c] = Math.Clamp(channels[c][i], -1f, 1f);
        // ffmpeg reads the raw samples from a temporary file: the process wrapper streams stdout, not stdin.
        var raw = Path.Combine(Path.GetTempPath(), $"qa-encode-{Guid.NewGuid():N}.f32");
        try
        {
            File.WriteAllBytes(raw, MemoryMarshal.AsBytes(interleaved.AsSpan()).ToArray());
            string[] args =
            [
                "-nostdin", "-hide_banner", "-nostats", "-loglevel", "error", "-y",
                "-f", "f32le", "-ar", AudioDecoder.SampleRate.ToString(CultureInfo.InvariantCulture),
                "-ac", channels.Count.ToString(CultureInfo.InvariantCulture), "-i", raw,
                .. outputArguments, Path.GetFullPath(path),
            ];
            using var ffmpeg = AudioDecoder.StartFfmpeg(_options.FfmpegPath, args, _options.StallTimeout, CancellationToken.None);
            ffmpeg.Stdout.CopyTo(Stream.Null);
            if (ffmpeg.WaitForExit() != 0) throw new AudioDecodingException($"{path}: ffmpeg could not write it ({ffmpeg.Reason()})");
        }
        finally
        {
            File.Delete(raw);
        }
    }
}
