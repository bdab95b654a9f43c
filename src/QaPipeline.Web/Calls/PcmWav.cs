using System.Buffers.Binary;
using System.Text;
using QaPipeline.Audio.Decoding;

namespace QaPipeline.Web.Calls;

/// <summary>
/// The web app's one WAV writer: a 16-bit PCM recording in memory, which it can cut (coaching clips) and tone over
/// (personal numbers for roles that may not hear them) without re-encoding. A stored recording that is not 16-bit
/// PCM WAV is decoded once by the pipeline's <see cref="AudioDecoder"/> (ffmpeg, 16 kHz) into one.
/// </summary>
internal sealed class PcmWav
{
    /// <summary>A 1 kHz tone at a third of full scale: plainly a bleep, not loud enough to hurt in headphones.</summary>
    public const double ToneHz = 1000, ToneLevel = 0.3;

    public int Channels { get; }
    public int SampleRate { get; }
    /// <summary>Interleaved 16-bit samples.</summary>
    public short[] Samples { get; }

    private PcmWav(int channels, int sampleRate, short[] samples) => (Channels, SampleRate, Samples) = (channels, sampleRate, samples);

    public int Frames => Samples.Length / Channels;
    public double DurationSeconds => Frames / (double)SampleRate;

    /// <summary>Reads a 16-bit PCM WAV; null for anything else (other codecs, 8/24/32-bit, broken headers).</summary>
    public static PcmWav? Parse(byte[] wav)
    {
        if (wav.Length < 44 || Encoding.ASCII.GetString(wav, 0, 4) != "RIFF" || Encoding.ASCII.GetString(wav, 8, 4) != "WAVE") return null;
        int pos = 12, fmtPos = -1, dataPos = -1, dataLen = 0;
        while (pos + 8 <= wav.Length)
        {
            var id = Encoding.ASCII.GetString(wav, pos, 4);
            var len = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(pos + 4));
            if (len < 0) return null;
            if (id == "fmt ") fmtPos = pos + 8;
            if (id == "data") { dataPos = pos + 8; dataLen = Math.Min(len, wav.Length - dataPos); break; }
            pos += 8 + len + (len & 1);
        }
        if (fmtPos < 0 || dataPos < 0 || fmtPos + 16 > wav.Length || BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(fmtPos)) != 1) return null;
        var channels = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(fmtPos + 2));
        var rate = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(fmtPos + 4));
        var bits = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(fmtPos + 14));
        if (bits != 16 || channels <= 0 || rate <= 0) return null;
        var frames = dataLen / (2 * channels);
        var samples = new short[frames * channels];
        for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(dataPos + 2 * i));
        return new PcmWav(channels, rate, samples);
    }

    /// <summary>The recording as 16-bit PCM: parsed when it already is, else decoded by ffmpeg (16 kHz, its channels kept).</summary>
    public static PcmWav Load(string path, AudioDecoder decoder, CancellationToken ct)
    {
        if (Parse(File.ReadAllBytes(path)) is { } wav) return wav;
        var decoded = decoder.DecodeToMemory(path, maxSeconds: 4 * 3600, ct);
        var samples = new short[decoded.SampleCount * decoded.ChannelCount];
        for (var f = 0; f < decoded.SampleCount; f++)
            for (var c = 0; c < decoded.ChannelCount; c++)
                samples[f * decoded.ChannelCount + c] = (short)Math.Clamp(Math.Round(decoded.Channels[c][f] * 32767), short.MinValue, short.MaxValue);
        return new PcmWav(decoded.ChannelCount, AudioDecoder.SampleRate, samples);
    }

    /// <summary>The part between two times (clamped to the recording).</summary>
    public PcmWav Cut(double start, double end)
    {
        var from = FrameAt(start);
        var to = Math.Max(from, FrameAt(end));
        return new PcmWav(Channels, SampleRate, Samples[(from * Channels)..(to * Channels)]);
    }

    /// <summary>Replaces every channel between two times with the tone (the phase runs from the recording's start,
    /// so adjacent spans join without a click).</summary>
    public void ToneOver(double start, double end)
    {
        for (int f = FrameAt(start), to = FrameAt(end); f < to; f++)
        {
            var value = (short)Math.Round(ToneLevel * short.MaxValue * Math.Sin(2 * Math.PI * ToneHz * f / SampleRate));
            for (var c = 0; c < Channels; c++) Samples[f * Channels + c] = value;
        }
    }

    private int FrameAt(double seconds) =>
        double.IsFinite(seconds) ? (int)Math.Clamp(Math.Round(seconds * SampleRate), 0, Frames) : seconds > 0 ? Frames : 0;

    public byte[] ToBytes()
    {
        var n = Samples.Length * 2;
        var output = new byte[44 + n];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(output, 0);
        BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(4), 36 + n);
        Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(output, 8);
        BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(output.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(output.AsSpan(22), (short)Channels);
        BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(24), SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(28), SampleRate * Channels * 2);
        BinaryPrimitives.WriteInt16LittleEndian(output.AsSpan(32), (short)(Channels * 2));
        BinaryPrimitives.WriteInt16LittleEndian(output.AsSpan(34), 16);
        Encoding.ASCII.GetBytes("data").CopyTo(output, 36);
        BinaryPrimitives.WriteInt32LittleEndian(output.AsSpan(40), n);
        for (var i = 0; i < Samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(output.AsSpan(44 + 2 * i), Samples[i]);
        return output;
    }
}
