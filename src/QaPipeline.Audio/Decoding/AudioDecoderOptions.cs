namespace QaPipeline.Audio.Decoding;

/// <summary>How <see cref="AudioDecoder"/> runs ffmpeg.</summary>
public sealed record AudioDecoderOptions
{
    /// <summary>ffmpeg executable (name on PATH or full path).</summary>
    public string FfmpegPath { get; init; } = "ffmpeg";

    /// <summary>ffprobe executable (name on PATH or full path).</summary>
    public string FfprobePath { get; init; } = "ffprobe";

    /// <summary>ffprobe must answer within this time; it only reads headers.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>ffmpeg is killed when it produces no audio for this long (a hung decoder or a stalled network
    /// mount), rather than after a fixed total time: a 3-hour recording legitimately takes a while.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Samples per channel in each streamed chunk. One second keeps every chunk array under the
    /// large-object-heap threshold, so streaming a long call creates only short-lived garbage.</summary>
    public int ChunkSamples { get; init; } = AudioDecoder.SampleRate;

    /// <summary>When false (the default), a file whose header promises more audio than can be decoded is an
    /// error: analysing half a call as if it were the whole call would mis-score it silently.</summary>
    public bool AllowTruncated { get; init; }
}
