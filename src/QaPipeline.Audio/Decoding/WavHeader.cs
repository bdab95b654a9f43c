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
    public static (double DeclaredSeconds, double PresentSeconds)? DeclaredDuration(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[12];
        if (file.Read(header) < 12 || Encoding.ASCII.GetString(header[..4]) != "RIFF" || Encoding.ASCII.GetString(header[8..12]) != "WAVE")
            return null;
        Span<byte> chunk = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[16];
        uint byteRate = 0;
        while (file.Read(chunk) == 8)
        {
            var id = Encoding.ASCII.GetString(chunk[..4]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (id == "fmt ")
            {
                if (size < 16 || file.Read(fmt) < 16) return null;
                byteRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[8..12]);
                file.Seek(size - 16 + (size & 1), SeekOrigin.Current);
            }
            else if (id == "data")
            {
                if (byteRate == 0 || size == 0 || size == uint.MaxValue) return null;
                var present = Math.Max(0, file.Length - file.Position);
                return (size / (double)byteRate, Math.Min(size, present) / (double)byteRate);
            }
            else
            {
                file.Seek(size + (size & 1), SeekOrigin.Current);
            }
        }
        return null;
    }
}
