using QaPipeline.Audio.VoiceActivity;

namespace QaPipeline.Audio.Separation;

/// <summary>
/// Splits the speech of a two-party mono recording between two voices, from the signal alone (no trained speaker
/// model is needed): the classic diarization recipe of cepstral statistics, clustering and resegmentation.
/// <list type="number">
/// <item>Cepstra of the voiced frames (Silero's segments), normalised over the call so that the line's colouring,
/// common to both voices, cancels out.</item>
/// <item>First guess: 1-second windows described by their cepstral mean and spread, split in two by k-means.</item>
/// <item>Resegmentation: one Gaussian mixture per voice trained on its frames, every frame relabelled by a
/// two-state Viterbi pass over the per-frame likelihood ratio, with a price on changing voice inside continuous
/// speech (short flips disappear) and a small one across a pause; repeated a few times.</item>
/// <item>Checks that there really are two voices: enough speech, a second voice with a real share of it, and two
/// models that explain the frames clearly better than one.</item>
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
        Separate(MelCepstrum.Of(samples), speech);

    /// <summary>Separates a channel whose cepstra were computed while it streamed past.</summary>
    public SpeakerSeparation Separate(MelCepstrum cepstrum, IReadOnlyList<SpeechSegment> speech)
    {
        if (Options.EmbeddingModelPath is not null)
            throw new NotSupportedException("speaker-embedding models are not wired in yet; leave EmbeddingModelPath unset");
        var frames = VoicedFrames(cepstrum, speech);
        var informative = frames.Where(f => f.Informative).ToList();
        var speechSeconds = informative.Count * MelCepstrum.FrameSeconds;
        if (speechSeconds < Options.MinSpeechSeconds)
            return SpeakerSeparation.Impossible(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"too little speech to tell two voices apart ({speechSeconds:0.0} s of clear speech, at least {Options.MinSpeechSeconds:0.#} s needed)"));
        Normalise(informative);

        var windows = Windows(frames);
        if (windows.Count < 4)
            return SpeakerSeparation.Impossible("too little continuous speech to tell two voices apart");
        // Two first guesses (windows described by cepstral mean and spread, or by the mean alone: the spread
        // sometimes follows what is said more than who says it); the resegmentation that explains the frames
        // best wins.
        var best = new[] { true, false }
            .Select(withSpread => Resegment(frames, SplitWindows(frames, windows, withSpread)))
            .Where(r => r is not null)
            .MaxBy(r => r!.Value.LogLikelihood);
        if (best is null)
            return SpeakerSeparation.Impossible("one speaker: the speech does not fall into two groups of at least 2 s each");
        var (labels, llr, _) = best.Value;

        var share0 = Enumerable.Range(0, frames.Count).Count(i => frames[i].Informative && labels[i] == 0) / (double)informative.Count;
        var secondShare = Math.Min(share0, 1 - share0);
        var distance = SpeakerDistance(frames, labels);
        if (secondShare < Options.MinSecondSpeakerShare)
            return SpeakerSeparation.Impossible(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"one speaker: a second voice would hold only {secondShare:P0} of the speech"), distance, secondShare);
        if (distance < Options.MinSpeakerDistance)
            return SpeakerSeparation.Impossible(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"one speaker: no second voice distinct enough (distance {distance:0.00}, at least {Options.MinSpeakerDistance:0.00} needed)"), distance, secondShare);

        var turns = Turns(frames, labels, llr, speech);
        var overlaps = SuspectedOverlaps(frames, labels, llr);
        var confidence = turns.Sum(t => t.Confidence * t.Duration) / Math.Max(1e-9, turns.Sum(t => t.Duration));
        return new SpeakerSeparation(Method, Math.Round(confidence, 3), turns, overlaps, null)
        {
            SpeakerDistance = distance,
            SecondSpeakerShare = secondShare,
            FirstSpeaker = FirstSpeaker(turns),
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
        public double Time => Index * MelCepstrum.FrameSeconds + MelCepstrum.FrameSamples / 2.0 / 16000;
    }

    private static List<Frame> VoicedFrames(MelCepstrum cepstrum, IReadOnlyList<SpeechSegment> speech)
    {
        var frames = new List<Frame>();
        var count = cepstrum.Frames.Count;
        for (var s = 0; s < speech.Count; s++)
        {
            var first = Math.Max(0, (int)Math.Ceiling(speech[s].Start / MelCepstrum.FrameSeconds));
            var last = Math.Min(count - 1, (int)Math.Floor((speech[s].End - 0.025) / MelCepstrum.FrameSeconds));
            for (var i = first; i <= last; i++)
                if (frames.Count == 0 || frames[^1].Index < i)
                    frames.Add(new Frame(i, s, cepstrum.Frames[i], cepstrum.LogEnergy[i]));
        }
        if (frames.Count == 0) return frames;
        // Pauses inside a segment (Silero keeps up to 100 ms plus padding) carry the line's noise, the same for both
        // voices: frames more than 30 dB (ln 1000 ≈ 6.9) below the call's loud speech do not vote.
        var loud = Percentile(frames.Select(f => (double)f.Energy), 0.95);
        foreach (var f in frames) f.Informative = f.Energy >= loud - 6.9;
        return frames;
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

    /// <summary>Frame labels (−1 = no vote) from k-means over the windows: each informative frame takes the
    /// majority of the windows covering it.</summary>
    private static int[] SplitWindows(List<Frame> frames, List<Window> windows, bool withSpread)
    {
        var dims = MelCepstrum.Coefficients;
        var assignment = TwoMeans(Standardise(windows.Select(w => withSpread ? w.Stats : w.Stats[..dims]).ToList()));
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

    private static List<float[]> Sample(List<Frame> frames, int[] labels, int speaker)
    {
        var mine = frames.Where((f, i) => f.Informative && labels[i] == speaker).Select(f => f.Features).ToList();
        if (mine.Count <= MaxTrainingFrames) return mine;
        var step = mine.Count / (double)MaxTrainingFrames;
        return Enumerable.Range(0, MaxTrainingFrames).Select(k => mine[(int)(k * step)]).ToList();
    }

    /// <summary>Two-state Viterbi over the voiced frames in time order: each frame scores its (weighted)
    /// log-likelihood ratio for the voice it is given to; changing voice costs the switch penalty inside a
    /// segment and the smaller pause penalty between segments.</summary>
    private int[] Viterbi(List<Frame> frames, double[] llr)
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
            var penalty = frames[i].Segment == frames[i - 1].Segment ? Options.SwitchPenalty : Options.PauseSwitchPenalty;
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

    /// <summary>How much better two voice models explain the frames than one, per frame (nats): the BIC gain of
    /// splitting, with diagonal Gaussians, ½ Σ_d [log σ²_d − w₀ log σ²₀d − w₁ log σ²₁d].</summary>
    private static double SpeakerDistance(List<Frame> frames, int[] labels)
    {
        var dims = MelCepstrum.Coefficients;
        var stats = new (double N, double[] S, double[] Q)[3];
        for (var k = 0; k < 3; k++) stats[k] = (0, new double[dims], new double[dims]);
        for (var i = 0; i < frames.Count; i++)
        {
            if (!frames[i].Informative || labels[i] < 0) continue;
            foreach (var k in new[] { 2, labels[i] })
            {
                stats[k].N++;
                for (var d = 0; d < dims; d++)
                {
                    stats[k].S[d] += frames[i].Features[d];
                    stats[k].Q[d] += frames[i].Features[d] * frames[i].Features[d];
                }
            }
        }
        double LogDet((double N, double[] S, double[] Q) s) => Enumerable.Range(0, dims)
            .Sum(d => Math.Log(Math.Max(s.Q[d] / s.N - s.S[d] / s.N * (s.S[d] / s.N), 1e-6)));
        if (stats[0].N < 2 || stats[1].N < 2) return 0;
        var w0 = stats[0].N / stats[2].N;
        return 0.5 * (LogDet(stats[2]) - w0 * LogDet(stats[0]) - (1 - w0) * LogDet(stats[1]));
    }

    /// <summary>Runs of one voice inside each voiced segment become turns. A turn's confidence grows with how
    /// strongly and for how long its frames favour its voice: sigmoid(mean weighted ratio × √frames).</summary>
    private List<SpeakerTurn> Turns(List<Frame> frames, int[] labels, double[] llr, IReadOnlyList<SpeechSegment> speech)
    {
        var turns = new List<SpeakerTurn>();
        for (var start = 0; start < frames.Count;)
        {
            var end = start;
            while (end < frames.Count && frames[end].Segment == frames[start].Segment && labels[end] == labels[start]) end++;
            var segment = speech[frames[start].Segment];
            var from = start == 0 || frames[start - 1].Segment != frames[start].Segment
                ? segment.Start : (frames[start - 1].Time + frames[start].Time) / 2;
            var to = end == frames.Count || frames[end].Segment != frames[start].Segment
                ? segment.End : (frames[end - 1].Time + frames[end].Time) / 2;
            var sign = labels[start] == 0 ? 1 : -1;
            var votes = Enumerable.Range(start, end - start).Where(i => frames[i].Informative).Select(i => sign * llr[i]).ToList();
            var confidence = votes.Count == 0 ? 0.5
                : 1 / (1 + Math.Exp(-Options.FrameWeight * votes.Average() * Math.Sqrt(votes.Count)));
            turns.Add(new SpeakerTurn(Math.Round(from, 3), Math.Round(to, 3), labels[start], Math.Round(confidence, 3)));
            start = end;
        }
        return turns;
    }

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
    private static int FirstSpeaker(List<SpeakerTurn> turns)
    {
        var held = new double[2];
        foreach (var t in turns.Where(t => t.Confidence >= 0.6))
            if ((held[t.Speaker] += t.Duration) >= 0.5) return t.Speaker;
        return turns[0].Speaker;
    }

    private static double Percentile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)(q * (sorted.Length - 1)), 0, sorted.Length - 1)];
    }
}
