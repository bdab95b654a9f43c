namespace QaPipeline.Speech;

/// <summary>A stretch of one channel with speech in it, in seconds from the start of the call.</summary>
public readonly record struct VoicedRegion(double Start, double End)
{
    public double Duration => End - Start;
}

/// <summary>One voiced region's place in a batch: where it sits in the call and where in the batch audio.</summary>
public readonly record struct BatchPiece(double CallStart, double CallEnd, double BatchStart)
{
    public double Duration => CallEnd - CallStart;
    public double BatchEnd => BatchStart + Duration;
}

/// <summary>
/// Voiced regions of one channel joined into one stream for one recogniser call. Whisper's encoder always
/// runs on a full 30-second window however little audio it holds, so recognising each utterance alone would
/// pay a whole window per "好的", and even packing utterances into separate 30 s batches wastes the tail of
/// each batch. Instead a channel's regions are concatenated, with a short silence between them (so Whisper
/// hears a pause, not a splice), and Whisper walks the stream window by window with every window full of
/// speech; this is what whisper.cpp's own VAD mode does. A batch is capped (10 minutes by default) so a
/// long call is recognised in bounded memory. Times Whisper reports inside a batch are mapped back to call
/// time with <see cref="ToCallTime"/>.
/// </summary>
public sealed class RecognitionBatch
{
    /// <summary>Longest batch: ten minutes of speech is 38 MB of samples.</summary>
    public const double MaxBatchSeconds = 600.0;

    /// <summary>Silence inserted between joined regions: whisper.cpp's own VAD mode uses 0.1 s, enough for Whisper
    /// to end a segment without spending window time on nothing.</summary>
    public const double JoinSilenceSeconds = 0.1;

    public IReadOnlyList<BatchPiece> Pieces { get; }

    public double Duration => Pieces.Count == 0 ? 0 : Pieces[^1].BatchEnd;

    public RecognitionBatch(IReadOnlyList<BatchPiece> pieces) => Pieces = pieces;

    /// <summary>Merges regions closer than <paramref name="mergeGap"/> (a breath inside a sentence should not
    /// split it), pads each side by <paramref name="pad"/> (the VAD's decision lags the first and last phoneme),
    /// clamps to the call, and drops what is shorter than <paramref name="minDuration"/>.</summary>
    public static IReadOnlyList<VoicedRegion> Merge(IEnumerable<VoicedRegion> regions, double mergeGap, double pad,
        double callDuration, double minDuration = 0.1)
    {
        var merged = new List<VoicedRegion>();
        foreach (var r in regions.Where(r => r.End > r.Start).OrderBy(r => r.Start))
        {
            var padded = new VoicedRegion(Math.Max(0, r.Start - pad), Math.Min(callDuration, r.End + pad));
            if (merged.Count > 0 && padded.Start - merged[^1].End <= mergeGap)
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, padded.End) };
            else
                merged.Add(padded);
        }
        return merged.Where(r => r.Duration >= minDuration).ToList();
    }

    /// <summary>Packs regions (sorted, non-overlapping) into batches of at most <paramref name="maxSeconds"/>; a single
    /// region longer than that is a batch of its own.</summary>
    public static IReadOnlyList<RecognitionBatch> Plan(IReadOnlyList<VoicedRegion> regions, double maxSeconds = MaxBatchSeconds)
    {
        var batches = new List<RecognitionBatch>();
        var current = new List<BatchPiece>();
        var length = 0.0;
        foreach (var r in regions)
        {
            var start = current.Count == 0 ? 0 : length + JoinSilenceSeconds;
            if (current.Count > 0 && start + r.Duration > maxSeconds)
            {
                batches.Add(new RecognitionBatch(current));
                current = [];
                start = 0;
            }
            current.Add(new BatchPiece(r.Start, r.End, start));
            length = start + r.Duration;
        }
        if (current.Count > 0) batches.Add(new RecognitionBatch(current));
        return batches;
    }

    /// <summary>Index of the piece a batch time falls in; a time in the silence between two pieces belongs to
    /// the next piece when <paramref name="preferNext"/> (a start) or the previous one otherwise (an end).</summary>
    public int PieceAt(double batchTime, bool preferNext)
    {
        for (var i = 0; i < Pieces.Count; i++)
        {
            if (batchTime < Pieces[i].BatchStart)
                return preferNext || i == 0 ? i : i - 1;
            if (batchTime <= Pieces[i].BatchEnd) return i;
        }
        return Pieces.Count - 1;
    }

    /// <summary>Call time of a batch time (clamped into the piece it belongs to).</summary>
    public double ToCallTime(double batchTime, bool preferNext)
    {
        var p = Pieces[PieceAt(batchTime, preferNext)];
        return p.CallStart + Math.Clamp(batchTime - p.BatchStart, 0, p.Duration);
    }
}
