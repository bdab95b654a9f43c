using QaPipeline.Audio.VoiceActivity;

namespace QaPipeline.Audio.Separation;

/// <summary>
/// Splits the speech of a two-party mono recording between two voices, from the signal alone (no trained speaker
/// model is needed): the classic diarization recipe of cepstral statistics, clustering and resegmentation.
/// <list type="number">
/// <item>Cepstra of the voiced frames (Silero's segments), normalised over the call so that the line's colouring,
/// common to both voices, cancels out.</item>
/// <item>First guess: agglomerative clustering of whole voiced segments into two groups (BIC merge cost with one
/// diagonal Gaussian per group), so that a long turn said without a pause stays one voice; k-means over 2-second
/// windows when the segments do not give two groups of some seconds each.</item>
/// <item>Resegmentation: one Gaussian mixture per voice trained on its frames, every frame relabelled by a
/// two-state Viterbi pass over the per-frame likelihood ratio, with a price on changing voice inside continuous
/// speech (short flips disappear) and a small one across a pause; repeated a few times.</item>
/// <item>Checks that there really are two voices: enough speech, a second voice with a real share of it, and two
/// voice models that predict held-out speech better than one model of all of it, both as computed and with each
/// voiced segment's own cepstral mean removed (one voice from two differently coloured recordings passes the
/// first, not the second).</item>
/// </list>
/// Change points come out of the Viterbi pass (the price of a change is the BIC-like penalty), so no separate
/// change detector runs.
/// </summary>
public sealed class SpeakerSeparator(SpeakerSeparationOptions? options = null)
{
    public const string Method = "mfcc-gmm";
    private const int MaxTrainingFrames = 12000;

    public SpeakerSeparationOptions Options { get; } = options ?? new SpeakerSeparationOptions();

    /// <summary>Separates one 16 kHz mono channel held in memory.</summary>
    public SpeakerSeparation Separate(ReadOnlySpan<float> samples, IReadOnlyList<SpeechSegment> speech) =>
        Separate(MelCepstrum.Of(samples, FilterbankBands(Options)), speech);

    /// <summary>Log-mel bands the cepstrum must also keep for these options (the embedding model's input; 0 without one).</summary>
    public static int FilterbankBands(SpeakerSeparationOptions options) =>
        options.EmbeddingModelPath is null ? 0 : SpeakerEmbeddingModel.FeatureBands;

    /// <summary>Separates a channel whose cepstra were computed while it streamed past.</summary>
    public SpeakerSeparation Separate(MelCepstrum cepstrum, IReadOnlyList<SpeechSegment> speech)
    {
        if (Options.EmbeddingModelPath is { } model)
            return new EmbeddingSeparator(Options, SpeakerEmbeddingModel.Open(model)).Separate(cepstrum, speech);
        var frames = VoicedFrames(cepstrum, speech);
        var informative = frames.Where(f => f.Informative).ToList();
        var speechSeconds = informative.Count * MelCepstrum.FrameSeconds;
        if (speechSeconds < Options.MinSpeechSeconds)
            return SpeakerSeparation.TooLittleSpeech(speechSeconds, Options.MinSpeechSeconds);
        Normalise(informative);

        var windows = Windows(frames);
        if (windows.Count < 4)
            return SpeakerSeparation.Impossible("too little continuous speech to tell two voices apart");
        // The first guess that resegments into two voices of some seconds each is taken. (Picking the guess whose
        // voices explain the speech best was tried: it prefers splitting one long, varied turn by what is said.)
        (int[] Labels, double[] Llr, double Gain)? best = null;
        foreach (var guess in FirstGuesses(frames, windows))
        {
            if (Resegment(frames, guess) is not { } result) continue;
            best = (result.Labels, result.Llr, HeldOutGain(frames, result.Labels));
            break;
        }
        if (best is null)
            return SpeakerSeparation.Impossible("one speaker: the speech does not fall into two groups of at least 2 s each");
        var (labels, llr, distance) = best.Value;

        var share0 = Enumerable.Range(0, frames.Count).Count(i => frames[i].Informative && labels[i] == 0) / (double)informative.Count;
        var secondShare = Math.Min(share0, 1 - share0);
        if (secondShare < Options.MinSecondSpeakerShare)
            return SpeakerSeparation.SecondVoiceTooSmall(secondShare, distance);
        var unsure = distance < Options.MinSpeakerDistance;
        var least = Math.Min(Options.UnsureSpeakerDistance, Options.MinSpeakerDistance);
        if (distance < least)
            return SpeakerSeparation.Impossible(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"one speaker: two voice models predict unseen speech no better than one (gain {distance:0.000} nats per frame, at least {least:0.000} needed)"), distance, secondShare);

        var segmentDistance = HeldOutGain(SegmentNormalised(cepstrum, frames), labels);
        if (segmentDistance <= Options.MinSegmentNormalisedDistance)
            return SpeakerSeparation.Impossible(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"one speaker: the two voice groups differ only in the average colouring of their stretches of speech, as one voice recorded in two settings does (gain {segmentDistance:0.000} nats per frame with each segment's mean removed, more than {Options.MinSegmentNormalisedDistance:0.000} needed)"), distance, secondShare);

        var turns = Turns(frames, labels, llr, speech);
        var firstSpeaker = FirstSpeaker(turns);
        // Between the two thresholds the call is separated, but no turn's role is trusted: every confidence is
        // squeezed into 0.5–0.6, under the scorer's review threshold, so items decided by who said what go to a
        // reviewer with the reason instead of being passed or failed on roles that may be wrong.
        if (unsure) turns = turns.Select(t => t with { Confidence = Math.Round(0.5 + 0.2 * (t.Confidence - 0.5), 3) }).ToList();
        var overlaps = SuspectedOverlaps(frames, labels, llr);
        var confidence = turns.Sum(t => t.Confidence * t.Duration) / Math.Max(1e-9, turns.Sum(t => t.Duration));
        return new SpeakerSeparation(Method, Math.Round(confidence, 3), turns, overlaps, null)
        {
            SpeakerDistance = distance,
            SecondSpeakerShare = secondShare,
            FirstSpeaker = firstSpeaker,
            Unsure = unsure,
        };
    }

    /// <summary>One 10 ms frame inside a voiced segment.</summary>
    private sealed class Frame(int index, int segment, float[] features, float energy)
    {
        public int Index { get; } = index;
        public int Segment { get; } = segment;
        public float[] Features { get; set; } = features;
        public float Energy { get; } = energy;
        public bool Informative { get; set; }
        public double Time => MelCepstrum.FrameTime(Index);
    }

    private static List<Frame> VoicedFrames(MelCepstrum cepstrum, IReadOnlyList<SpeechSegment> speech) =>
        VoicedFrameIndices(cepstrum, speech)
            .Select(f => new Frame(f.Index, f.Segment, cepstrum.Frames[f.Index], cepstrum.LogEnergy[f.Index]) { Informative = f.Informative })
            .ToList();

    /// <summary>
    /// The frames inside Silero's voiced segments, each once with its segment, and whether it votes: pauses inside a
    /// segment (Silero keeps up to 100 ms plus padding) carry the line's noise, the same for both voices, so frames
    /// more than 30 dB (ln 1000 ≈ 6.9) below the call's loud speech do not. Both separators pick frames this way.
    /// </summary>
    internal static List<(int Index, int Segment, bool Informative)> VoicedFrameIndices(MelCepstrum cepstrum, IReadOnlyList<SpeechSegment> speech)
    {
        var picked = new List<(int Index, int Segment)>();
        var count = cepstrum.Frames.Count;
        for (var s = 0; s < speech.Count; s++)
        {
            var first = Math.Max(0, (int)Math.Ceiling(speech[s].Start / MelCepstrum.FrameSeconds));
            var last = Math.Min(count - 1, (int)Math.Floor((speech[s].End - 0.025) / MelCepstrum.FrameSeconds));
            for (var i = first; i <= last; i++)
                if (picked.Count == 0 || picked[^1].Index < i) picked.Add((i, s));
        }
        var loud = Percentile(picked.Select(f => (double)cepstrum.LogEnergy[f.Index]), 0.95);
        return picked.Select(f => (f.Index, f.Segment, cepstrum.LogEnergy[f.Index] >= loud - 6.9)).ToList();
    }

    /// <summary>The voiced frames again, each segment's cepstra less that segment's mean (then normalised over the
    /// call), for the second one-voice test: what a segment shares with itself, a recording's colouring, is gone.</summary>
    private static List<Frame> SegmentNormalised(MelCepstrum cepstrum, List<Frame> frames)
    {
        var dims = MelCepstrum.Coefficients;
        var result = new List<Frame>(frames.Count);
        foreach (var segment in frames.GroupBy(f => f.Segment))
        {
            var mean = new double[dims];
            var used = segment.Where(f => f.Informative).ToList();
            foreach (var f in used)
                for (var d = 0; d < dims; d++) mean[d] += cepstrum.Frames[f.Index][d] / used.Count;
            foreach (var f in segment)
            {
                var x = new float[dims];
                for (var d = 0; d < dims; d++) x[d] = (float)(cepstrum.Frames[f.Index][d] - mean[d]);
                result.Add(new Frame(f.Index, f.Segment, x, f.Energy) { Informative = f.Informative });
            }
        }
        Normalise(result.Where(f => f.Informative).ToList());
        return result;
    }

    /// <summary>Cepstral mean and variance normalisation over the call's speech.</summary>
    private static void Normalise(List<Frame> frames)
    {
        var dims = MelCepstrum.Coefficients;
        var mean = new double[dims];
        var sq = new double[dims];
        foreach (var f in frames)
            for (var d = 0; d < dims; d++)
            {
                mean[d] += f.Features[d];
                sq[d] += f.Features[d] * f.Features[d];
            }
        var std = new double[dims];
        for (var d = 0; d < dims; d++)
        {
            mean[d] /= frames.Count;
            std[d] = Math.Sqrt(Math.Max(sq[d] / frames.Count - mean[d] * mean[d], 1e-8));
        }
        foreach (var f in frames)
        {
            var x = new float[dims];
            for (var d = 0; d < dims; d++) x[d] = (float)((f.Features[d] - mean[d]) / std[d]);
            f.Features = x; // a copy: the cepstrum's own frames stay as computed
        }
    }

    /// <summary>The resegmentation passes from a first guess: speaker models trained on the current labels, then
    /// every frame relabelled by Viterbi. Null when a voice has too few frames to train a model on.</summary>
    private (int[] Labels, double[] Llr, double LogLikelihood)? Resegment(List<Frame> frames, int[] labels)
    {
        var llr = new double[frames.Count];
        double logLikelihood = 0;
        for (var pass = 0; pass < Options.ResegmentationPasses; pass++)
        {
            var models = TrainModels(frames, labels);
            if (models is null) return pass == 0 ? null : (labels, llr, double.NegativeInfinity);
            logLikelihood = 0;
            for (var i = 0; i < frames.Count; i++)
            {
                if (!frames[i].Informative)
                {
                    llr[i] = 0;
                    continue;
                }
                var a = models.Value.A.LogLikelihood(frames[i].Features);
                var b = models.Value.B.LogLikelihood(frames[i].Features);
                llr[i] = a - b;
                logLikelihood += labels[i] == 1 ? b : a;
            }
            labels = Viterbi(frames, llr);
        }
        return (labels, llr, logLikelihood);
    }

    /// <summary>A stretch of about a second of one voiced segment, described by its cepstral mean and spread.</summary>
    private sealed record Window(int From, int To, double[] Stats);

    private List<Window> Windows(List<Frame> frames)
    {
        var window = (int)Math.Round(Options.WindowSeconds / MelCepstrum.FrameSeconds);
        var hop = (int)Math.Round(Options.WindowHopSeconds / MelCepstrum.FrameSeconds);
        var windows = new List<Window>();
        var dims = MelCepstrum.Coefficients;
        for (var start = 0; start < frames.Count;)
        {
            var end = start;
            while (end < frames.Count && frames[end].Segment == frames[start].Segment) end++;
            // Windows inside one voiced segment; a segment shorter than a window is one window if long enough.
            var length = end - start;
            var positions = length < window ? (length >= window / 3 ? [start] : Array.Empty<int>())
                : Enumerable.Range(0, (length - window) / hop + 1).Select(k => start + k * hop).ToArray();
            foreach (var from in positions)
            {
                var to = Math.Min(end, from + window);
                var used = frames.Skip(from).Take(to - from).Where(f => f.Informative).ToList();
                if (used.Count < window / 5) continue;
                var stats = new double[2 * dims];
                foreach (var f in used)
                    for (var d = 0; d < dims; d++)
                    {
                        stats[d] += f.Features[d];
                        stats[dims + d] += f.Features[d] * f.Features[d];
                    }
                for (var d = 0; d < dims; d++)
                {
                    stats[d] /= used.Count;
                    stats[dims + d] = Math.Sqrt(Math.Max(stats[dims + d] / used.Count - stats[d] * stats[d], 0));
                }
                windows.Add(new Window(from, to, stats));
            }
            start = end;
        }
        return windows;
    }

    /// <summary>First guesses of who spoke when, best first: whole voiced segments clustered (a long turn said
    /// without a pause stays one voice), then k-means over windows described by cepstral mean and spread, or by the
    /// mean alone, for calls whose segments do not cluster into two groups of some seconds each.</summary>
    private static IEnumerable<int[]> FirstGuesses(List<Frame> frames, List<Window> windows)
    {
        var dims = MelCepstrum.Coefficients;
        yield return SegmentClusters(frames);
        yield return Labels(frames, windows, TwoMeans(Standardise(windows.Select(w => w.Stats).ToList())));
        yield return Labels(frames, windows, TwoMeans(Standardise(windows.Select(w => w.Stats[..dims]).ToList())));
    }

    /// <summary>Voiced segments this many and more are clustered: the longest ones, the others join the nearer
    /// cluster (keeps a three-hour call's clustering small).</summary>
    private const int MaxClusteredSegments = 400;

    private const int MinVoiceFrames = 300;

    /// <summary>Statistics of a group of frames under one diagonal Gaussian.</summary>
    private sealed class Cluster(int dims)
    {
        public double N;
        public readonly double[] Sum = new double[dims];
        public readonly double[] SumSq = new double[dims];
        public readonly List<int> Segments = [];

        public void Add(float[] x)
        {
            N++;
            for (var d = 0; d < x.Length; d++)
            {
                Sum[d] += x[d];
                SumSq[d] += x[d] * x[d];
            }
        }

        public void Add(Cluster other)
        {
            N += other.N;
            for (var d = 0; d < Sum.Length; d++)
            {
                Sum[d] += other.Sum[d];
                SumSq[d] += other.SumSq[d];
            }
            Segments.AddRange(other.Segments);
        }

        /// <summary>N · log|Σ| (diagonal).</summary>
        public double ScatterCost()
        {
            double logDet = 0;
            for (var d = 0; d < Sum.Length; d++)
            {
                var mean = Sum[d] / N;
                logDet += Math.Log(Math.Max(SumSq[d] / N - mean * mean, 1e-4));
            }
            return N * logDet;
        }

        /// <summary>The likelihood lost by describing both groups with one Gaussian instead of two (the generalised
        /// likelihood ratio behind BIC's speaker-change test), minus the BIC penalty for the parameters it saves.</summary>
        public static double MergeCost(Cluster a, Cluster b)
        {
            var both = new Cluster(a.Sum.Length);
            both.Add(a);
            both.Add(b);
            return 0.5 * (both.ScatterCost() - a.ScatterCost() - b.ScatterCost()) - a.Sum.Length * Math.Log(both.N);
        }
    }

    /// <summary>
    /// Agglomerative clustering of whole voiced segments, the classic BIC diarization: every segment starts as its
    /// own group, and the two groups that cost least to describe as one are merged until two remain. A long turn
    /// said without a pause stays one item, so it cannot be split into two "voices" by what it says, as window
    /// clustering can.
    /// </summary>
    private static int[] SegmentClusters(List<Frame> frames)
    {
        var dims = MelCepstrum.Coefficients;
        var bySegment = new Dictionary<int, Cluster>();
        foreach (var f in frames.Where(f => f.Informative))
        {
            if (!bySegment.TryGetValue(f.Segment, out var c))
            {
                bySegment[f.Segment] = c = new Cluster(dims);
                c.Segments.Add(f.Segment);
            }
            c.Add(f.Features);
        }
        var all = bySegment.Values.Where(c => c.N >= 2 * dims).ToList();
        var labels = Enumerable.Repeat(-1, frames.Count).ToArray();
        if (all.Count < 2) return labels;
        var clusters = all.OrderByDescending(c => c.N).Take(MaxClusteredSegments).ToList();
        var rest = all.Skip(MaxClusteredSegments).ToList();
        var cost = new double[clusters.Count, clusters.Count];
        for (var i = 0; i < clusters.Count; i++)
            for (var j = i + 1; j < clusters.Count; j++)
                cost[i, j] = Cluster.MergeCost(clusters[i], clusters[j]);
        var alive = Enumerable.Range(0, clusters.Count).ToList();
        while (alive.Count > 2)
        {
            // Near the end, a group of under 3 s (a cough, a fragment in an odd voice) must join another rather
            // than be left as one of the two voices.
            var small = alive.Count <= 6 ? alive.Where(k => clusters[k].N < MinVoiceFrames).ToHashSet() : [];
            var (bi, bj, best) = (-1, -1, double.PositiveInfinity);
            for (var x = 0; x < alive.Count; x++)
                for (var y = x + 1; y < alive.Count; y++)
                    if ((small.Count == 0 || small.Contains(alive[x]) || small.Contains(alive[y])) && cost[alive[x], alive[y]] < best)
                        (bi, bj, best) = (alive[x], alive[y], cost[alive[x], alive[y]]);
            clusters[bi].Add(clusters[bj]);
            alive.Remove(bj);
            foreach (var k in alive.Where(k => k != bi))
            {
                var c = Cluster.MergeCost(clusters[Math.Min(bi, k)], clusters[Math.Max(bi, k)]);
                cost[Math.Min(bi, k), Math.Max(bi, k)] = c;
            }
        }
        var (first, second) = (clusters[alive[0]], clusters[alive[1]]);
        foreach (var c in rest)
            (Cluster.MergeCost(first, c) <= Cluster.MergeCost(second, c) ? first : second).Segments.AddRange(c.Segments);
        var segmentLabel = new Dictionary<int, int>();
        foreach (var s in first.Segments) segmentLabel[s] = 0;
        foreach (var s in second.Segments) segmentLabel[s] = 1;
        for (var i = 0; i < frames.Count; i++)
            if (frames[i].Informative && segmentLabel.TryGetValue(frames[i].Segment, out var label)) labels[i] = label;
        return labels;
    }

    /// <summary>Frame labels (−1 = no vote) from a split of the windows: each informative frame takes the majority of
    /// the windows covering it.</summary>
    private static int[] Labels(List<Frame> frames, List<Window> windows, int[] assignment)
    {
        var labels = Enumerable.Repeat(-1, frames.Count).ToArray();
        var votes = new double[frames.Count];
        for (var w = 0; w < windows.Count; w++)
            for (var i = windows[w].From; i < windows[w].To; i++)
                votes[i] += assignment[w] == 0 ? 1 : -1;
        for (var i = 0; i < frames.Count; i++)
            if (frames[i].Informative && votes[i] != 0) labels[i] = votes[i] > 0 ? 0 : 1;
        return labels;
    }

    private static List<double[]> Standardise(List<double[]> rows)
    {
        var dims = rows[0].Length;
        var mean = new double[dims];
        var std = new double[dims];
        foreach (var r in rows) for (var d = 0; d < dims; d++) mean[d] += r[d] / rows.Count;
        foreach (var r in rows) for (var d = 0; d < dims; d++) std[d] += (r[d] - mean[d]) * (r[d] - mean[d]) / rows.Count;
        return rows.Select(r => r.Select((x, d) => (x - mean[d]) / Math.Sqrt(std[d] + 1e-9)).ToArray()).ToList();
    }

    /// <summary>k-means with k = 2, seeded deterministically by the two windows farthest apart (farthest from the
    /// centre, then farthest from that one).</summary>
    private static int[] TwoMeans(List<double[]> x)
    {
        var dims = x[0].Length;
        var centre = new double[dims];
        var a = x.MaxBy(v => Dist(v, centre))!;
        var b = x.MaxBy(v => Dist(v, a))!;
        var c = new[] { (double[])a.Clone(), (double[])b.Clone() };
        var assignment = new int[x.Count];
        for (var it = 0; it < 50; it++)
        {
            var changed = false;
            for (var i = 0; i < x.Count; i++)
            {
                var k = Dist(x[i], c[0]) <= Dist(x[i], c[1]) ? 0 : 1;
                if (k != assignment[i] || it == 0) changed |= k != assignment[i];
                assignment[i] = k;
            }
            for (var k = 0; k < 2; k++)
            {
                var members = x.Where((_, i) => assignment[i] == k).ToList();
                if (members.Count == 0) continue;
                c[k] = Enumerable.Range(0, dims).Select(d => members.Average(m => m[d])).ToArray();
            }
            if (!changed && it > 0) break;
        }
        return assignment;
    }

    private static double Dist(double[] a, double[] b)
    {
        double s = 0;
        for (var d = 0; d < a.Length; d++) s += (a[d] - b[d]) * (a[d] - b[d]);
        return s;
    }

    private (DiagonalGmm A, DiagonalGmm B)? TrainModels(List<Frame> frames, int[] labels)
    {
        var a = Sample(frames, labels, 0);
        var b = Sample(frames, labels, 1);
        // Two seconds of a voice is the least a mixture can be trained on.
        if (a.Count < 200 || b.Count < 200) return null;
        return (DiagonalGmm.Train(a, Options.GmmComponents, 6), DiagonalGmm.Train(b, Options.GmmComponents, 6));
    }

    private static List<float[]> Sample(List<Frame> frames, int[] labels, int speaker, Func<int, bool>? take = null) =>
        Thin(frames.Where((f, i) => f.Informative && labels[i] == speaker && (take is null || take(i))).Select(f => f.Features).ToList());

    /// <summary>At most <see cref="MaxTrainingFrames"/> frames, spread evenly: a long call trains on a sample.</summary>
    private static List<float[]> Thin(List<float[]> frames)
    {
        if (frames.Count <= MaxTrainingFrames) return frames;
        var step = frames.Count / (double)MaxTrainingFrames;
        return Enumerable.Range(0, MaxTrainingFrames).Select(k => frames[(int)(k * step)]).ToList();
    }

    /// <summary>Two-state Viterbi over the voiced frames in time order: each frame scores its (weighted)
    /// log-likelihood ratio for the voice it is given to; changing voice costs the switch penalty inside a
    /// segment and the smaller pause penalty between segments.</summary>
    private int[] Viterbi(IReadOnlyList<Frame> frames, double[] llr)
    {
        var n = frames.Count;
        var back = new byte[n, 2];
        double s0 = 0, s1 = 0;
        for (var i = 0; i < n; i++)
        {
            var e = Options.FrameWeight * llr[i] / 2;
            if (i == 0)
            {
                s0 = e;
                s1 = -e;
                continue;
            }
            var continuous = frames[i].Segment == frames[i - 1].Segment && frames[i].Index == frames[i - 1].Index + 1;
            var penalty = continuous ? Options.SwitchPenalty : Options.PauseSwitchPenalty;
            var stay0 = s0;
            var from1 = s1 - penalty;
            var stay1 = s1;
            var from0 = s0 - penalty;
            back[i, 0] = (byte)(stay0 >= from1 ? 0 : 1);
            back[i, 1] = (byte)(stay1 >= from0 ? 1 : 0);
            var n0 = Math.Max(stay0, from1) + e;
            var n1 = Math.Max(stay1, from0) - e;
            // Keep the scores small; only their difference matters.
            var m = Math.Max(n0, n1);
            s0 = n0 - m;
            s1 = n1 - m;
        }
        var labels = new int[n];
        if (n == 0) return labels;
        labels[n - 1] = s0 >= s1 ? 0 : 1;
        for (var i = n - 1; i > 0; i--) labels[i - 1] = back[i, labels[i]];
        return labels;
    }

    /// <summary>
    /// The one-voice test: how much better two voice models predict speech they were not trained on than one model
    /// of all the speech, per frame (nats). The voiced frames are cut into 2 s blocks, odd and even blocks taking
    /// turns as training and test data; on the test blocks each stretch is given to one voice by the same Viterbi
    /// pass as the resegmentation (a voice holds for a while), and scored by that voice's model against the
    /// single model. One voice split by what it says gains nothing: its sounds change faster than a voice holds,
    /// and each half-model misses the sounds of the other half. Two voices gain clearly.
    /// </summary>
    private double HeldOutGain(List<Frame> frames, int[] labels)
    {
        const int block = 200;
        double gain = 0;
        var scored = 0;
        for (var fold = 0; fold < 2; fold++)
        {
            bool Train(int i) => (i / block) % 2 != fold;
            var a = Sample(frames, labels, 0, Train);
            var b = Sample(frames, labels, 1, Train);
            if (a.Count < 200 || b.Count < 200) return 0;
            var modelA = DiagonalGmm.Train(a, Options.GmmComponents, 6);
            var modelB = DiagonalGmm.Train(b, Options.GmmComponents, 6);
            var modelBoth = DiagonalGmm.Train(Thin(a.Concat(b).ToList()), Options.GmmComponents, 6);
            var test = Enumerable.Range(0, frames.Count).Where(i => !Train(i)).ToList();
            var testFrames = test.Select(i => frames[i]).ToList();
            var llr = new double[test.Count];
            var both = new double[test.Count];
            var la = new double[test.Count];
            var lb = new double[test.Count];
            for (var k = 0; k < test.Count; k++)
            {
                if (!testFrames[k].Informative) continue;
                la[k] = modelA.LogLikelihood(testFrames[k].Features);
                lb[k] = modelB.LogLikelihood(testFrames[k].Features);
                both[k] = modelBoth.LogLikelihood(testFrames[k].Features);
                llr[k] = la[k] - lb[k];
            }
            var decoded = Viterbi(testFrames, llr);
            for (var k = 0; k < test.Count; k++)
            {
                if (!testFrames[k].Informative) continue;
                gain += (decoded[k] == 0 ? la[k] : lb[k]) - both[k];
                scored++;
            }
        }
        return scored == 0 ? 0 : gain / scored;
    }

    /// <summary>Runs of one voice inside each voiced segment become turns. A turn's confidence grows with how
    /// strongly and for how long its frames favour its voice: sigmoid(mean weighted ratio × √frames).</summary>
    private List<SpeakerTurn> Turns(List<Frame> frames, int[] labels, double[] llr, IReadOnlyList<SpeechSegment> speech) =>
        SpeakerTurn.FromRuns(frames.Count, i => frames[i].Segment, i => frames[i].Time, labels, speech, (start, end) =>
        {
            var sign = labels[start] == 0 ? 1 : -1;
            var votes = Enumerable.Range(start, end - start).Where(i => frames[i].Informative).Select(i => sign * llr[i]).ToList();
            return votes.Count == 0 ? 0.5 : 1 / (1 + Math.Exp(-Options.FrameWeight * votes.Average() * Math.Sqrt(votes.Count)));
        });

    /// <summary>
    /// Mono audio hides overlaps, but they leave a trace: where one voice hands over to the other inside continuous
    /// speech, frames near the change that fit neither model well (likelihood ratio close to zero for ½ s and
    /// more) are likely both voices at once. Reported with low confidence; the voice that takes over is the one
    /// that came in second.
    /// </summary>
    private List<SuspectedOverlap> SuspectedOverlaps(List<Frame> frames, int[] labels, double[] llr)
    {
        var result = new List<SuspectedOverlap>();
        const int half = 50; // ½ s either side of a change
        for (var i = 1; i < frames.Count; i++)
        {
            if (labels[i] == labels[i - 1] || frames[i].Segment != frames[i - 1].Segment) continue;
            var from = i;
            while (from > 0 && i - from < half && frames[from - 1].Segment == frames[i].Segment && Ambiguous(from - 1)) from--;
            var to = i;
            while (to < frames.Count - 1 && to - i < half && frames[to + 1].Segment == frames[i].Segment && Ambiguous(to + 1)) to++;
            var seconds = frames[to].Time - frames[from].Time;
            if (seconds >= 0.5)
                result.Add(new SuspectedOverlap(Math.Round(frames[from].Time, 3), Math.Round(frames[to].Time, 3), labels[i], 0.4));
        }
        return result;

        bool Ambiguous(int k)
        {
            // Smoothed over 0.2 s: single frames swing either way.
            double sum = 0;
            var n = 0;
            for (var j = Math.Max(0, k - 10); j <= Math.Min(frames.Count - 1, k + 10); j++)
                if (frames[j].Informative) { sum += llr[j]; n++; }
            return n > 0 && Math.Abs(sum / n) < 0.5;
        }
    }

    /// <summary>The voice that first holds half a second of confidently separated speech, so that a click, a
    /// breath or a misheard fragment before the greeting does not decide who answered, while a greeting said in
    /// short bursts still counts.</summary>
    internal static int FirstSpeaker(List<SpeakerTurn> turns)
    {
        var held = new double[2];
        foreach (var t in turns.Where(t => t.Confidence >= 0.6))
            if ((held[t.Speaker] += t.Duration) >= 0.5) return t.Speaker;
        return turns[0].Speaker;
    }

    internal static double Percentile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }
}
