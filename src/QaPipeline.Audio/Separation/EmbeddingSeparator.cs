using System.Globalization;
using QaPipeline.Audio.VoiceActivity;

namespace QaPipeline.Audio.Separation;

/// <summary>
/// Splits a two-party mono recording between two voices with a speaker-embedding model, the route a centre takes
/// when it has one (<see cref="SpeakerSeparationOptions.EmbeddingModelPath"/>); the same result as the cepstral
/// <see cref="SpeakerSeparator"/>, with method <c>onnx-embedding</c>.
/// <list type="number">
/// <item>Windows of ~1.5 s every ~0.75 s inside Silero's voiced segments (a window never spans a pause, where
/// the voice may change) are embedded by the model from their 80-band log-mel frames.</item>
/// <item>Agglomerative clustering of the window embeddings by cosine similarity (average linkage) down to two
/// voices, then a few rounds of reassigning every window to the nearer voice centroid.</item>
/// <item>The one-voice test in the embedding space: when the two voices' centroids are more alike than
/// <see cref="SpeakerSeparationOptions.MaxVoiceSimilarity"/>, one speaker (with the reason), as when the second voice
/// would hold too little of the speech.</item>
/// <item>Each 10 ms frame takes the voice its covering windows favour (the sum of their cosine margins), runs of one
/// voice become turns, and a turn's role confidence grows with that margin.</item>
/// </list>
/// <para>No cepstral resegmentation follows. It would sharpen turn edges from ~0.4 s to 10 ms, but it decides by
/// the cepstral statistics a model is used to get away from: its voice models also pick up level and noise
/// colouring (the cepstral separator splits one voice at different SNRs, issue note), and a trained embedding
/// separates voices that cepstra cannot. Turn edges inside continuous speech are therefore as sharp as the
/// window hop; most changes of speaker fall at a pause, where the voiced segments already give the exact edge.</para>
/// <para>Overlapped speech is not looked for on this route: a mixed window just lands between the two centroids,
/// and no threshold for that could be measured without a trained model. Overlaps are left empty (the acoustic
/// facts then report none on such calls), rather than guessed.</para>
/// </summary>
public sealed class EmbeddingSeparator(SpeakerSeparationOptions options, SpeakerEmbeddingModel model)
{
    public const string Method = "onnx-embedding";

    /// <summary>Windows clustered at most (agglomerative clustering is cubic): a long call clusters an even sample
    /// (~6 minutes of speech) and every window is then given to the nearer voice.</summary>
    private const int MaxClusteredWindows = 500;

    /// <summary>A voiced segment shorter than a window but at least this long is one window of its own.</summary>
    private const double MinWindowSeconds = 0.5;

    /// <summary>Shorter segments (a "yes", a "嗯") are embedded only to label them, not to shape the voices.</summary>
    private const double MinLabelledSeconds = 0.25;

    /// <summary>Near the end of the clustering, a group holding less speech than this (a cough, a laugh) must join
    /// another rather than be left as one of the two voices.</summary>
    private const double MinVoiceSeconds = 3.0;

    /// <summary>Slope of the role confidence over the relative margin: a window as typical of its voice as the voice's
    /// own centroid (margin 1) gives 0.98, one halfway there 0.88, one between the two voices 0.5.</summary>
    private const double ConfidenceSlope = 4.0;

    public SpeakerSeparationOptions Options { get; } = options;

    public SpeakerSeparation Separate(MelCepstrum cepstrum, IReadOnlyList<SpeechSegment> speech)
    {
        if (cepstrum.FilterbankBands != SpeakerEmbeddingModel.FeatureBands)
            throw new InvalidOperationException(
                $"a speaker-embedding model needs {SpeakerEmbeddingModel.FeatureBands} log-mel bands per frame: make the MelCepstrum with SpeakerSeparator.FilterbankBands(options)");
        var frames = VoicedFrames(cepstrum, speech);
        var speechSeconds = frames.Count(f => f.Informative) * MelCepstrum.FrameSeconds;
        if (speechSeconds < Options.MinSpeechSeconds) return SpeakerSeparation.TooLittleSpeech(speechSeconds, Options.MinSpeechSeconds);

        var windows = Windows(frames);
        if (windows.Count(w => w.Clustered) < 4) return SpeakerSeparation.Impossible("too little continuous speech to tell two voices apart");
        Embed(cepstrum, frames, windows);
        windows = windows.Where(w => w.Embedding is not null).ToList();
        var clustered = windows.Where(w => w.Clustered).ToList();
        if (clustered.Count < 4) return SpeakerSeparation.Impossible("too little continuous speech to tell two voices apart");

        if (Voices(clustered) is not { } centroids)
            return SpeakerSeparation.Impossible("one speaker: the speech does not fall into two groups of at least 2 s each");
        var similarity = Cosine(centroids[0], centroids[1]);
        var distance = Math.Round(1 - similarity, 4);

        var (labels, margins) = FrameLabels(frames, windows, centroids, similarity);
        var informative = frames.Count(f => f.Informative);
        var share0 = Enumerable.Range(0, frames.Count).Count(i => frames[i].Informative && labels[i] == 0) / (double)informative;
        var secondShare = Math.Min(share0, 1 - share0);
        if (secondShare < Options.MinSecondSpeakerShare) return SpeakerSeparation.SecondVoiceTooSmall(secondShare, distance);
        if (similarity > Options.MaxVoiceSimilarity)
            return SpeakerSeparation.Impossible(string.Create(CultureInfo.InvariantCulture,
                $"one speaker: the two voices' speaker embeddings are too alike (cosine similarity {similarity:0.000}, at most {Options.MaxVoiceSimilarity:0.000} allowed)"),
                distance, secondShare);

        var turns = Turns(frames, labels, margins, speech);
        var confidence = turns.Sum(t => t.Confidence * t.Duration) / Math.Max(1e-9, turns.Sum(t => t.Duration));
        return new SpeakerSeparation(Method, Math.Round(confidence, 3), turns, [], null)
        {
            SpeakerDistance = distance,
            SecondSpeakerShare = secondShare,
            FirstSpeaker = SpeakerSeparator.FirstSpeaker(turns),
        };
    }

    /// <summary>A 10 ms frame inside a voiced segment; informative when within 30 dB of the call's loud speech (the
    /// cepstral separator's rule: pauses inside a segment carry the line, not a voice).</summary>
    private readonly record struct VoicedFrame(int Index, int Segment, bool Informative)
    {
        public double Time => MelCepstrum.FrameTime(Index);
    }

    private static List<VoicedFrame> VoicedFrames(MelCepstrum cepstrum, IReadOnlyList<SpeechSegment> speech) =>
        SpeakerSeparator.VoicedFrameIndices(cepstrum, speech).Select(f => new VoicedFrame(f.Index, f.Segment, f.Informative)).ToList();

    /// <summary>A stretch of one voiced segment (frames [From, To) of the voiced frames) and its unit-length
    /// embedding; only <see cref="Clustered"/> windows shape the two voices, the others are labelled by them.</summary>
    private sealed class Window(int from, int to, bool clustered)
    {
        public int From { get; } = from;
        public int To { get; } = to;
        public bool Clustered { get; } = clustered;
        public float[]? Embedding { get; set; }
    }

    private List<Window> Windows(List<VoicedFrame> frames)
    {
        var length = model.WindowFrames ?? (int)Math.Round(Options.EmbeddingWindowSeconds / MelCepstrum.FrameSeconds);
        var hop = Math.Max(1, (int)Math.Round(Options.EmbeddingWindowHopSeconds / MelCepstrum.FrameSeconds));
        var shortest = (int)Math.Round(MinWindowSeconds / MelCepstrum.FrameSeconds);
        var labelled = (int)Math.Round(MinLabelledSeconds / MelCepstrum.FrameSeconds);
        var windows = new List<Window>();
        for (var start = 0; start < frames.Count;)
        {
            var end = start;
            while (end < frames.Count && frames[end].Segment == frames[start].Segment && frames[end].Index - frames[start].Index == end - start) end++;
            var span = end - start;
            if (span >= length)
            {
                var from = start;
                for (; from + length <= end; from += hop) Add(from, from + length, true);
                // The segment's tail gets a window of its own, ending with the segment.
                if (from - hop + length < end) Add(end - length, end, true);
            }
            else if (model.WindowFrames is null && span >= labelled)
            {
                Add(start, end, span >= shortest);
            }
            start = end;
        }
        return windows;

        void Add(int from, int to, bool clustered)
        {
            // A window mostly of pause (the line's noise) says nothing about a voice.
            var voiced = 0;
            for (var i = from; i < to; i++) if (frames[i].Informative) voiced++;
            if (voiced * 3 >= to - from) windows.Add(new Window(from, to, clustered));
        }
    }

    /// <summary>Runs the model over every window and keeps unit-length embeddings; a window the model gives no
    /// direction for (length under 0.001, where trained models give ~1 to ~30: zeros up to rounding; not a number)
    /// is dropped. A model that does that for every window is broken for this
    /// use, and saying so beats calling every recording one speaker.</summary>
    private void Embed(MelCepstrum cepstrum, List<VoicedFrame> frames, List<Window> windows)
    {
        const int bands = SpeakerEmbeddingModel.FeatureBands;
        var inputs = windows.Select(w =>
        {
            var values = new float[(w.To - w.From) * bands];
            for (var i = w.From; i < w.To; i++) cepstrum.LogMel(frames[i].Index, values.AsSpan((i - w.From) * bands, bands));
            return values;
        }).ToList();
        var embeddings = model.Embed(inputs);
        for (var k = 0; k < windows.Count; k++)
        {
            var e = embeddings[k];
            var norm = Math.Sqrt(e.Sum(x => (double)x * x));
            if (norm > 1e-3 && double.IsFinite(norm)) windows[k].Embedding = e.Select(x => (float)(x / norm)).ToArray();
        }
        if (windows.Count > 0 && windows.All(w => w.Embedding is null))
            throw new InvalidDataException(
                $"{model.ModelPath}: the model gives no usable speaker embeddings (all zero or not numbers){(model.SubtractsMean ? "; it is fed mean-subtracted log-mel frames (declare feature_normalize_type=none in its metadata if it wants them raw)" : "")}");
    }

    /// <summary>The two voices' centroids (unit length): average-linkage clustering of (a sample of) the windows to
    /// two groups, then every window given to the nearer centroid and the centroids recomputed, a few times. Null
    /// when one group ends up empty.</summary>
    private static float[][]? Voices(List<Window> clustered)
    {
        var step = Math.Max(1.0, clustered.Count / (double)MaxClusteredWindows);
        var sample = Enumerable.Range(0, (int)(clustered.Count / step)).Select(k => clustered[(int)(k * step)].Embedding!).ToList();
        var windowSeconds = clustered.Average(w => w.To - w.From) * MelCepstrum.FrameSeconds;
        var groups = AverageLinkage(sample, (int)Math.Ceiling(MinVoiceSeconds / Math.Max(windowSeconds, 0.1)));
        var centroids = groups.Select(g => Centroid(g.Select(i => sample[i]))).ToArray();
        for (var round = 0; round < 5; round++)
        {
            var members = new List<float[]>[] { [], [] };
            foreach (var w in clustered) members[Cosine(w.Embedding!, centroids[0]) >= Cosine(w.Embedding!, centroids[1]) ? 0 : 1].Add(w.Embedding!);
            if (members[0].Count == 0 || members[1].Count == 0) return null;
            centroids = members.Select(m => Centroid(m)).ToArray();
        }
        return centroids;
    }

    /// <summary>Average-linkage agglomerative clustering by cosine similarity down to two groups (indexes into
    /// <paramref name="x"/>). When six or fewer groups are left, a group of fewer than <paramref name="minMembers"/>
    /// windows must be part of the next merge.</summary>
    private static List<List<int>> AverageLinkage(List<float[]> x, int minMembers)
    {
        var n = x.Count;
        var sim = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
                sim[i, j] = sim[j, i] = Cosine(x[i], x[j]);
        var groups = Enumerable.Range(0, n).Select(i => new List<int> { i }).ToList();
        var alive = Enumerable.Range(0, n).ToList();
        while (alive.Count > 2)
        {
            var small = alive.Count <= 6 ? alive.Where(k => groups[k].Count < minMembers).ToHashSet() : [];
            var (bi, bj, best) = (-1, -1, double.NegativeInfinity);
            for (var p = 0; p < alive.Count; p++)
                for (var q = p + 1; q < alive.Count; q++)
                {
                    var (a, b) = (alive[p], alive[q]);
                    if ((small.Count == 0 || small.Contains(a) || small.Contains(b)) && sim[a, b] > best) (bi, bj, best) = (a, b, sim[a, b]);
                }
            var (na, nb) = (groups[bi].Count, groups[bj].Count);
            foreach (var k in alive.Where(k => k != bi && k != bj))
                sim[bi, k] = sim[k, bi] = (na * sim[bi, k] + nb * sim[bj, k]) / (na + nb);
            groups[bi].AddRange(groups[bj]);
            alive.Remove(bj);
        }
        return alive.Select(k => groups[k]).ToList();
    }

    /// <summary>Each frame's voice: the sum over the windows covering it of their cosine margin (nearer voice 0 is
    /// positive), and that margin per window relative to the centroids' own distance (1 = as typical of its voice
    /// as the centroid). A frame no window covers takes the nearest covered frame's voice with no margin.</summary>
    private static (int[] Labels, double[] Margins) FrameLabels(List<VoicedFrame> frames, List<Window> windows, float[][] centroids, double similarity)
    {
        var score = new double[frames.Count];
        var cover = new int[frames.Count];
        foreach (var w in windows)
        {
            var margin = Cosine(w.Embedding!, centroids[0]) - Cosine(w.Embedding!, centroids[1]);
            for (var i = w.From; i < w.To; i++)
            {
                score[i] += margin;
                cover[i]++;
            }
        }
        var labels = new int[frames.Count];
        var margins = new double[frames.Count];
        var scale = Math.Max(1 - similarity, 1e-6);
        var covered = Enumerable.Range(0, frames.Count).Where(i => cover[i] > 0).ToArray();
        for (var i = 0; i < frames.Count; i++)
        {
            if (cover[i] > 0)
            {
                labels[i] = score[i] >= 0 ? 0 : 1;
                margins[i] = Math.Abs(score[i] / cover[i]) / scale;
                continue;
            }
            // The nearest covered frame in time (covered is sorted by position, and positions follow time).
            var at = Array.BinarySearch(covered, i);
            at = ~at;
            var before = at > 0 ? covered[at - 1] : -1;
            var after = at < covered.Length ? covered[at] : -1;
            var nearest = before < 0 ? after : after < 0 ? before
                : frames[i].Time - frames[before].Time <= frames[after].Time - frames[i].Time ? before : after;
            labels[i] = nearest < 0 ? 0 : score[nearest] >= 0 ? 0 : 1;
        }
        return (labels, margins);
    }

    /// <summary>Runs of one voice inside each voiced segment become turns, their confidence a sigmoid of the mean
    /// relative margin of their frames.</summary>
    private static List<SpeakerTurn> Turns(List<VoicedFrame> frames, int[] labels, double[] margins, IReadOnlyList<SpeechSegment> speech) =>
        SpeakerTurn.FromRuns(frames.Count, i => frames[i].Segment, i => frames[i].Time, labels, speech,
            (start, end) => 1 / (1 + Math.Exp(-ConfidenceSlope * Enumerable.Range(start, end - start).Average(i => margins[i]))));

    private static float[] Centroid(IEnumerable<float[]> members)
    {
        float[]? sum = null;
        foreach (var m in members)
        {
            sum ??= new float[m.Length];
            for (var d = 0; d < m.Length; d++) sum[d] += m[d];
        }
        if (sum is null) throw new ArgumentException("a voice needs at least one window", nameof(members));
        var norm = Math.Sqrt(sum.Sum(x => (double)x * x));
        return sum.Select(x => (float)(x / Math.Max(norm, 1e-12))).ToArray();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var d = 0; d < a.Length; d++)
        {
            dot += a[d] * b[d];
            na += a[d] * a[d];
            nb += b[d] * b[d];
        }
        return dot / Math.Sqrt(Math.Max(na * nb, 1e-24));
    }
}
