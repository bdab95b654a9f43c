using QaPipeline.Scoring.Acoustics;
using QaPipeline.Scoring.Rubrics;
using QaPipeline.Scoring.TextNormalization;
using QaPipeline.Scoring.Transcripts;

namespace QaPipeline.Scoring.Scorecards;

/// <summary>One segment of the call, normalised once for all rules.</summary>
internal sealed record CallSegment(int Index, int Turn, TranscriptSegment Source, SpeechText Text)
{
    public SpeakerRole Speaker => Source.Speaker;
    public double? Start => Source.Start;
    public double? End => Source.End;

    /// <summary>ASR confidence of the segment: its own, or the least probable token's when only tokens have it.</summary>
    public double? Confidence => Source.Confidence ?? (Source.Tokens is { Count: > 0 } t ? t.Min(k => k.Probability) : null);

    public Evidence ToEvidence(string? phrase = null, double? similarity = null) =>
        new(Speaker, Start, End, Source.Text, Turn, phrase, similarity);
}

/// <summary>A turn: consecutive segments of one speaker. Turn numbers count from 1 over the whole call.</summary>
internal sealed record CallTurn(int Number, SpeakerRole Speaker, IReadOnlyList<CallSegment> Segments)
{
    public double? Start => Segments[0].Start;
    public double? End => Segments[^1].End;
}

/// <summary>The transcript and acoustic facts arranged for scoring: time-ordered turns, per-speaker turn
/// lists, the call's length and its silences (measured, or read off transcript gaps when timed).</summary>
internal sealed class CallView
{
    public IReadOnlyList<CallTurn> Turns { get; }
    public IReadOnlyList<CallSegment> Segments { get; }
    public bool Timed { get; }
    public double? Duration { get; }
    public AcousticFacts? Facts { get; }
    public bool RolesKnown { get; }
    public IReadOnlyList<TimeSpanS>? Silences { get; }

    public const double TurnGapSeconds = 3.0;

    private readonly Dictionary<SpeakerRole, List<CallTurn>> _bySpeaker = new();

    public CallView(Transcript transcript, AcousticFacts? facts)
    {
        Facts = facts;
        Timed = transcript.IsTimed;
        var ordered = Timed
            ? transcript.Segments.Select((s, i) => (s, i)).OrderBy(x => x.s.Start).ThenBy(x => x.i).Select(x => x.s).ToList()
            : transcript.Segments.ToList();
        var segments = new List<CallSegment>(ordered.Count);
        var turns = new List<CallTurn>();
        var current = new List<CallSegment>();
        foreach (var seg in ordered)
        {
            if (string.IsNullOrWhiteSpace(seg.Text)) continue;
            // A pause of more than TurnGapSeconds ends a turn even without the other party speaking: the
            // agent's "请您稍等" and "感谢您的耐心等待" around a hold are two turns, not one.
            if (current.Count > 0 && (current[0].Speaker != seg.Speaker || seg.Start - current[^1].End > TurnGapSeconds))
            {
                turns.Add(new CallTurn(turns.Count + 1, current[0].Speaker, current));
                current = [];
            }
            var cs = new CallSegment(segments.Count, turns.Count + 1, seg, SpeechText.Parse(seg.Text));
            segments.Add(cs);
            current.Add(cs);
        }
        if (current.Count > 0) turns.Add(new CallTurn(turns.Count + 1, current[0].Speaker, current));
        Segments = segments;
        Turns = turns;
        foreach (var t in turns)
        {
            if (!_bySpeaker.TryGetValue(t.Speaker, out var list)) _bySpeaker[t.Speaker] = list = [];
            list.Add(t);
        }
        Duration = facts?.DurationSeconds ?? transcript.DurationSeconds ?? (Timed && segments.Count > 0 ? segments.Max(s => s.End) : null);
        var mixedOnly = turns.Count > 0 && turns.All(t => t.Speaker == SpeakerRole.Mixed);
        RolesKnown = !mixedOnly && (facts is null || facts.RolesKnown || turns.Any(t => t.Speaker != SpeakerRole.Mixed));
        Silences = facts?.Silences ?? (Timed ? TranscriptGaps(segments) : null);
    }

    private readonly Dictionary<(PhraseSet, int), Matching.PhraseMatch?> _matches = new();

    /// <summary>The set's best match in a segment, computed once per call: several items share trigger
    /// phrases (a complaint triggers both apology and empathy).</summary>
    public Matching.PhraseMatch? Match(CallSegment segment, PhraseSet set)
    {
        if (!_matches.TryGetValue((set, segment.Index), out var m))
            _matches[(set, segment.Index)] = m = PhraseSearch.Best(segment.Text, set);
        return m;
    }

    public IReadOnlyList<CallTurn> TurnsOf(SpeakerRole speaker) =>
        _bySpeaker.TryGetValue(speaker, out var list) ? list : [];

    /// <summary>Without audio analysis, a gap between consecutive timed segments is the best silence
    /// estimate we have (it over-counts when the ASR drops words, which is why measured facts win).</summary>
    private static List<TimeSpanS> TranscriptGaps(List<CallSegment> segments)
    {
        var gaps = new List<TimeSpanS>();
        var lastEnd = segments.Count > 0 ? segments[0].End!.Value : 0;
        foreach (var s in segments.Skip(1))
        {
            if (s.Start!.Value > lastEnd) gaps.Add(new TimeSpanS(lastEnd, s.Start.Value));
            lastEnd = Math.Max(lastEnd, s.End!.Value);
        }
        return gaps;
    }
}
