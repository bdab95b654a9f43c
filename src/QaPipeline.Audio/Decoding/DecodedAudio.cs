namespace QaPipeline.Audio.Decoding;

/// <summary>A whole (short) recording decoded into memory: 16 kHz float PCM, one array per channel.</summary>
public sealed class DecodedAudio(AudioProbe probe, float[][] channels)
{
    /// <summary>What the source file was (native rate, codec, channels).</summary>
    public AudioProbe Source { get; } = probe;

    public float[][] Channels { get; } = channels;

    public int ChannelCount => Channels.Length;

    public int SampleCount => Channels.Length == 0 ? 0 : Channels[0].Length;

    public double DurationSeconds => SampleCount / (double)AudioDecoder.SampleRate;

    /// <summary>The samples of one channel between two times (clamped to the recording), e.g. one voice-active
    /// region for the recogniser. A view, not a copy.</summary>
    public ReadOnlyMemory<float> Slice(int channel, double startSeconds, double endSeconds)
    {
        if (channel < 0 || channel >= ChannelCount)
            throw new ArgumentOutOfRangeException(nameof(channel), $"channel {channel} does not exist (recording has {ChannelCount})");
        var from = Math.Clamp((int)Math.Round(startSeconds * AudioDecoder.SampleRate), 0, SampleCount);
        var to = Math.Clamp((int)Math.Round(endSeconds * AudioDecoder.SampleRate), from, SampleCount);
        return Channels[channel].AsMemory(from, to - from);
    }
}
