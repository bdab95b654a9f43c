using System.Buffers.Binary;
using System.Text;

namespace QaPipeline.Audio.Decoding;

/// <summary>
/// Reads how much audio a RIFF/WAVE header promises. ffprobe estimates a WAV's duration from the file size, so a
/// recording cut short by a failed upload looks whole to it; comparing the data chunk's declared size with the
/// bytes really present is the only way to notice. Headers only: the samples are ffmpeg's business.
/// </summary>
internal static class WavHeader
{
    /// <summary>Seconds the header's data chunk declares, or null when the file is not a plain WAV or the size is
    /// the "unknown" marker streaming writers leave (0 or 0xFFFFFFFF).</summary>
    public static (double DeclaredSeconds, double PresentSeconds)? DeclaredDuration(string path) =>
        Read(path) is { } h ? (h.DataBytes / (double)h.ByteRate, h.PresentBytes / (double)h.ByteRate) : null;

    /// <summary>
    /// What ffprobe would say about a plain PCM, float, A-law or µ-law WAV, read from its header in process. Starting
    /// ffprobe costs about 85 ms of CPU per recording, more than the whole analysis of a 30-second call; the call
    /// recorders' usual output is exactly this kind of file. Anything else (compressed audio in a WAV, an odd
    /// header, a streaming writer's unknown size) returns null and goes to ffprobe. The samples themselves are
    /// still checked by ffmpeg when decoding.
    /// </summary>
    public static AudioProbe? Probe(string path)
    {
        if (Read(path) is not { } h) return null;
        var codec = (h.FormatTag, h.BitsPerSample) switch
        {
            (1, 8) => "pcm_u8",
            (1, 16) => "pcm_s16le",
            (1, 24) => "pcm_s24le",
            (1, 32) => "pcm_s32le",
            (3, 32) => "pcm_f32le",
            (3, 64) => "pcm_f64le",
            (6, 8) => "pcm_alaw",
            (7, 8) => "pcm_mulaw",
            _ => null,
        };
        // The byte rate must be what the format implies, or the header is lying and ffprobe should judge it.
        if (codec is null || h.Channels is < 1 or > 8 || h.SampleRate is < 1000 or > 384_000
            || h.BlockAlign != h.Channels * h.BitsPerSample / 8 || h.ByteRate != h.SampleRate * h.BlockAlign)
            return null;
        return new AudioProbe(h.DataBytes / (double)h.ByteRate, h.Channels, (int)h.SampleRate, codec, "wav");
    }

    /// <summary>A WAV's format and where its samples lie: <see cref="DataOffset"/> is the first byte of the data chunk,
    /// <see cref="PresentBytes"/> how much of the declared <see cref="DataBytes"/> the file really holds.</summary>
    internal sealed record Header(int FormatTag, int Channels, uint SampleRate, uint ByteRate, int BlockAlign, int BitsPerSample,
        uint DataBytes, long PresentBytes, long DataOffset = 0);

    private static Header? Read(string path)
    {
        using var file = File.OpenRead(path);
        return Read(file);
    }

    /// <summary>The header of a WAV in a seekable stream (left at the first sample), or null when it is not a plain WAV.</summary>
    internal static Header? Read(Stream file)
    {
        Span<byte> header = stackalloc byte[12];
        if (file.Read(header) < 12 || Encoding.ASCII.GetString(header[..4]) != "RIFF" || Encoding.ASCII.GetString(header[8..12]) != "WAVE")
            return null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[40];
        Header? format = null;
        while (file.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) == 8)
        {
            var id = Encoding.ASCII.GetString(chunk[..4]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (id == "fmt ")
            {
                if (size < 16) return null;
                var read = file.ReadAtLeast(fmt[..(int)Math.Min(size, 40)], (int)Math.Min(size, 40), throwOnEndOfStream: false);
                if (read < 16) return null;
                var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                // WAVE_FORMAT_EXTENSIBLE: the real format tag is the first two bytes of the sub-format GUID.
                if (tag == 0xFFFE && read >= 26) tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
                format = new Header(tag, BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]), BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(fmt[8..]), BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]), 0, 0);
                file.Seek(size - read + (size & 1), SeekOrigin.Current);
            }
            else if (id == "data")
            {
                if (format is null || format.ByteRate == 0 || size == 0 || size == uint.MaxValue) return null;
                var present = Math.Max(0, file.Length - file.Position);
                return format with { DataBytes = size, PresentBytes = Math.Min(size, present), DataOffset = file.Position };
            }
            else
            {
                file.Seek(size + (size & 1), SeekOrigin.Current);
            }
        }
        return null;
    }
}
