using System.Buffers.Binary;
using System.Runtime.InteropServices;
using QaPipeline.Audio.Decoding;

namespace QaPipeline.Audio.Wav;

/// <summary>
/// A 16-bit PCM recording in memory, which can be cut (coaching clips) and toned over (personal numbers for roles that
/// may not hear them) without re-encoding. A stored recording that is not 16-bit PCM WAV is decoded once by
/// <see cref="AudioDecoder"/> (ffmpeg, 16 kHz) into one. The header is read by the one WAV header reader
/// (<see cref="WavHeader"/>) and written by the one WAV writer (<see cref="PcmWav"/>).
/// </summary>
public sealed class PcmRecording
{
    /// <summary>A 1 kHz tone at a third of full scale: plainly a bleep, not loud enough to hurt in headphones.</summary>
    public const double ToneHz = 1000, ToneLevel = 0.3;

    public int Channels { get; }
    public int SampleRate { get; }
    /// <summary>Interleaved 16-bit samples.</summary>
    public short[] Samples { get; }

    private PcmRecording(int channels, int sampleRate, short[] samples) => (Channels, SampleRate, Samples) = (channels, sampleRate, samples);

    public int Frames => Samples.Length / Channels;
    public double DurationSeconds => Frames / (double)SampleRate;

    /// <summary>Reads a 16-bit PCM WAV; null for anything else (other codecs, 8/24/32-bit, broken headers).</summary>
    public static PcmRecording? Parse(byte[] wav)
    {
        using var stream = new MemoryStream(wav, writable: false);
        if (WavHeader.Read(stream) is not { FormatTag: 1, BitsPerSample: 16 } h || h.Channels <= 0 || h.SampleRate is 0 or > int.MaxValue) return null;
        var frames = (int)(h.PresentBytes / (2 * h.Channels));
        var samples = new short[frames * h.Channels];
        var data = wav.AsSpan((int)h.DataOffset);
        for (var i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]);
        return new PcmRecording(h.Channels, (int)h.SampleRate, samples);
    }

    /// <summary>The recording as 16-bit PCM: parsed when it already is, else decoded by ffmpeg (16 kHz, its channels kept).</summary>
    public static PcmRecording Load(string path, AudioDecoder decoder, CancellationToken ct)
    {
        if (Parse(File.ReadAllBytes(path)) is { } wav) return wav;
        var decoded = decoder.DecodeToMemory(path, maxSeconds: 4 * 3600, ct);
        var samples = new short[decoded.SampleCount * decoded.ChannelCount];
        for (var f = 0; f < decoded.SampleCount; f++)
            for (var c = 0; c < decoded.ChannelCount; c++)
                samples[f * decoded.ChannelCount + c] = (short)Math.Clamp(Math.Round(decoded.Channels[c][f] * 32767), short.MinValue, short.MaxValue);
        return new PcmRecording(decoded.ChannelCount, AudioDecoder.SampleRate, samples);
    }

    /// <summary>The part between two times (clamped to the recording).</summary>
    public PcmRecording Cut(double start, double end)
    {
        var from = FrameAt(start);
        var to = Math.Max(from, FrameAt(end));
        return new PcmRecording(Channels, SampleRate, Samples[(from * Channels)..(to * Channels)]);
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

    /// <summary>The recording as a WAV file's bytes (the samples are little-endian in memory on every platform .NET runs on).</summary>
    public byte[] ToBytes() => PcmWav.FromPcm16(SampleRate, Channels, MemoryMarshal.AsBytes(Samples.AsSpan()));
}
