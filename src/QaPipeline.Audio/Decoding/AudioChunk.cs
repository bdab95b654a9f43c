namespace QaPipeline.Audio.Decoding;

/// <summary>
/// A consecutive piece of a decoded recording: 16 kHz float samples in [-1, 1], one array per channel
/// (index 0 = left, 1 = right). Chunks are freshly allocated, so a consumer may keep them.
/// </summary>
public sealed class AudioChunk(long startSample, float[][] channels)
{
    /// <summary>Index of the first sample of this chunk in the whole recording, at <see cref="AudioDecoder.SampleRate"/>.</summary>
    public long StartSample { get; } = startSample;

    public float[][] Channels { get; } = channels;

    public int ChannelCount => Channels.Length;

    /// <summary>Samples per channel in this chunk.</summary>
    public int Length => Channels[0].Length;

    public double StartSeconds => StartSample / (double)AudioDecoder.SampleRate;

    public double DurationSeconds => Length / (double)AudioDecoder.SampleRate;
}
