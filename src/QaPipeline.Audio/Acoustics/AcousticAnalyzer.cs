using QaPipeline.Audio.Decoding;
using QaPipeline.Audio.Separation;
using QaPipeline.Audio.VoiceActivity;
using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Audio.Acoustics;

/// <summary>
/// Measures what a QA monitor listens for without needing words: who spoke when, dead air, talking over each other,
/// talk ratio, monologues and holds. Stereo calls are analysed per channel (the channel is the speaker); mono calls
/// (and stereo files carrying the same signal twice) are split into two voices by <see cref="SpeakerSeparator"/>,
/// the first voice heard taking the role <see cref="AcousticAnalysisOptions.FirstSpeaker"/>. Only when the voices
/// cannot be told apart is there one "mixed" speaker, and speaker-dependent rules become N/A in the scorer.
/// </summary>
public sealed class AcousticAnalyzer(AudioDecoder decoder, SileroVad vad)
{
    public const string Agent = "agent";
    public const string Customer = "customer";
    public const string Mixed = "mixed";

    /// <summary>Decodes (streamed) and analyses one recording.</summary>
    public AcousticFacts Analyze(string path, AcousticAnalysisOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AcousticAnalysisOptions();
        // A speaker-embedding model is loaded (a missing or unfitting one refused) before any audio is touched.
        if (options.Separation.EmbeddingModelPath is { } model) SpeakerEmbeddingModel.Open(model);
        var probe = decoder.Probe(path, cancellationToken);
        if (probe.Channels > 2)
            throw new AudioDecodingException($"{path}: has {probe.Channels} channels; a call recording is mono or stereo");

        long samples = 0;
        var channelsDiffer = false;
        // Cepstra for the separator, computed while the audio streams past (a 3-hour call is never held in memory);
        // dropped as soon as a stereo call shows two different channels.
        // With a speaker-embedding model they also keep its log-mel frames.
        MelCepstrum? cepstrum = new(SpeakerSeparator.FilterbankBands(options.Separation));
        var counted = decoder.Decode(path, probe, cancellationToken).Select(chunk =>
        {
            samples += chunk.Length;
            if (!channelsDiffer && chunk.ChannelCount == 2) channelsDiffer = Differ(chunk.Channels[0], chunk.Channels[1]);
            if (channelsDiffer) cepstrum = null;
            cepstrum?.Push(chunk.Channels[0]);
            return chunk;
        });
        var segments = vad.DetectSpeech(counted, cancellationToken);
        var duration = samples / (double)AudioDecoder.SampleRate;

        // Some recorders write a mono call into both channels; treating it as stereo would report the whole call
        // as the agent and the customer talking over each other.
        if (segments.Length == 2 && !channelsDiffer) segments = [segments[0]];
        if (segments.Length != 1 || cepstrum is null) return Measure(duration, probe.Channels, segments, options);
        var separation = new SpeakerSeparator(options.Separation).Separate(cepstrum, segments[0]);
        return MeasureSeparated(duration, probe.Channels, segments[0], separation, options);
    }

    /// <summary>The pure part for one channel holding both voices: the separator's turns become the agent's and the
    /// customer's speech (the first voice heard takes <see cref="AcousticAnalysisOptions.FirstSpeaker"/>), and the
    /// overlaps are the ones the separator suspects. When the voices could not be separated, one mixed speaker.</summary>
    public static AcousticFacts MeasureSeparated(double durationSeconds, int channels, IReadOnlyList<SpeechSegment> speech,
        SpeakerSeparation separation, AcousticAnalysisOptions options)
    {
        if (!separation.Separated)
            return Measure(durationSeconds, channels, [speech], options) with
            {
                Separation = SpeakerSeparationFacts.Impossible(separation.Reason!),
            };
        var first = options.FirstSpeaker == SpeakerRole.Customer ? Customer : Agent;
        var second = first == Agent ? Customer : Agent;
        string Role(int voice) => voice == separation.FirstSpeaker ? first : second;
        List<SpeechSegment> Of(string role) => separation.Turns.Where(t => Role(t.Speaker) == role)
            .Select(t => new SpeechSegment(t.Start, t.End)).ToList();
        var facts = Measure(durationSeconds, channels, [Of(Agent), Of(Customer)], options with { AgentChannel = AgentChannel.Left });
        return facts with
        {
            Overlaps = separation.Overlaps.Where(o => o.End - o.Start >= options.MinOverlapSeconds)
                .Select(o => new Overlap(o.Start, o.End, Role(o.By))).ToList(),
            Separation = new SpeakerSeparationFacts(separation.Method, separation.Confidence, null,
                separation.Turns.Select(t => new RoleTurn(t.Start, t.End, Role(t.Speaker), t.Confidence)).ToList()),
        };
    }

    /// <summary>The pure part: acoustic facts from the speech segments of each channel (index 0 = left).</summary>
    public static AcousticFacts Measure(double durationSeconds, int channels,
        IReadOnlyList<IReadOnlyList<SpeechSegment>> channelSegments, AcousticAnalysisOptions options)
    {
        var speakers = new Dictionary<string, IReadOnlyList<TimeSpanS>>();
        if (channelSegments.Count >= 2)
        {
            var (agent, customer) = options.AgentChannel == AgentChannel.Left ? (0, 1) : (1, 0);
            speakers[Agent] = ToSpans(channelSegments[agent]);
            speakers[Customer] = ToSpans(channelSegments[customer]);
        }
        else
        {
            speakers[Mixed] = channelSegments.Count == 1 ? ToSpans(channelSegments[0]) : [];
        }

        var activity = speakers.ToDictionary(kv => kv.Key,
            kv => new SpeakerActivity(kv.Value.Sum(s => s.Duration), kv.Value));
        var total = activity.Values.Sum(a => a.SpeechSeconds);
        var talkRatio = activity.ToDictionary(kv => kv.Key, kv => total > 0 ? kv.Value.SpeechSeconds / total : 0.0);

        var gaps = Gaps(Union(speakers.Values.SelectMany(s => s)));
        var silences = gaps.Where(g => g.Duration >= options.MinSilenceSeconds).ToList();
        var holds = gaps.Where(g => g.Duration >= options.HoldMinSeconds).ToList();

        IReadOnlyList<Overlap> overlaps = [];
        var monologues = new Dictionary<string, TimeSpanS>();
        if (speakers.ContainsKey(Agent))
        {
            overlaps = Overlaps(speakers[Agent], speakers[Customer], options);
            if (LongestMonologue(speakers[Agent], speakers[Customer], options) is { } a) monologues[Agent] = a;
            if (LongestMonologue(speakers[Customer], speakers[Agent], options) is { } c) monologues[Customer] = c;
        }

        return new AcousticFacts(durationSeconds, channels, activity, silences, overlaps, talkRatio)
        {
            Dynamics = new CallDynamics(monologues, holds),
        };
    }

    /// <summary>Stretches where both hold the floor; the interrupter is whoever's floor began later.</summary>
    private static List<Overlap> Overlaps(IReadOnlyList<TimeSpanS> agent, IReadOnlyList<TimeSpanS> customer,
        AcousticAnalysisOptions options)
    {
        var a = Bridge(agent, options.FloorGapSeconds);
        var c = Bridge(customer, options.FloorGapSeconds);
        var result = new List<Overlap>();
        for (int i = 0, j = 0; i < a.Count && j < c.Count;)
        {
            var start = Math.Max(a[i].Start, c[j].Start);
            var end = Math.Min(a[i].End, c[j].End);
            if (end - start >= options.MinOverlapSeconds)
                result.Add(new Overlap(start, end, a[i].Start > c[j].Start ? Agent : Customer));
            if (a[i].End < c[j].End) i++;
            else j++;
        }
        return result;
    }

    private static TimeSpanS? LongestMonologue(IReadOnlyList<TimeSpanS> speaker, IReadOnlyList<TimeSpanS> other,
        AcousticAnalysisOptions options)
    {
        var turns = other.Where(o => o.Duration > options.BackchannelSeconds).Select(o => o.Start).ToList();
        TimeSpanS? best = null;
        TimeSpanS? current = null;
        foreach (var s in speaker)
        {
            var joins = current is { } cur && s.Start - cur.End <= options.MonologuePauseSeconds
                        && !turns.Any(t => t > cur.Start && t < s.Start);
            current = joins ? new TimeSpanS(current!.Value.Start, s.End) : s;
            if (best is null || current.Value.Duration > best.Value.Duration) best = current;
        }
        return best;
    }

    private static List<TimeSpanS> ToSpans(IReadOnlyList<SpeechSegment> segments) =>
        segments.Select(s => new TimeSpanS(s.Start, s.End)).ToList();

    private static List<TimeSpanS> Union(IEnumerable<TimeSpanS> spans) => Bridge(spans.OrderBy(s => s.Start).ToList(), 0);

    /// <summary>Merges sorted spans that overlap or are separated by at most <paramref name="gap"/> seconds.</summary>
    private static List<TimeSpanS> Bridge(IReadOnlyList<TimeSpanS> sorted, double gap)
    {
        var merged = new List<TimeSpanS>();
        foreach (var s in sorted)
        {
            if (merged.Count > 0 && s.Start - merged[^1].End <= gap)
                merged[^1] = new TimeSpanS(merged[^1].Start, Math.Max(merged[^1].End, s.End));
            else
                merged.Add(s);
        }
        return merged;
    }

    /// <summary>Gaps between speech, leading and trailing silence excluded.</summary>
    private static List<TimeSpanS> Gaps(List<TimeSpanS> union)
    {
        var gaps = new List<TimeSpanS>();
        for (var i = 1; i < union.Count; i++) gaps.Add(new TimeSpanS(union[i - 1].End, union[i].Start));
        return gaps;
    }

    private static bool Differ(float[] left, float[] right)
    {
        for (var i = 0; i < left.Length; i++)
            if (Math.Abs(left[i] - right[i]) > 1e-4f) return true;
        return false;
    }
}
