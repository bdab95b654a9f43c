using System.Text.Json.Serialization;
using QaPipeline.Scoring.Contracts;

namespace QaPipeline.Scoring.Acoustics;

/// <summary>Reads and writes the acoustic-facts JSON of the CLI contract (<c>qa analyze</c>); times rounded to the
/// millisecond.</summary>
public static class AcousticFactsJson
{
    public static string Write(AcousticFacts facts, bool indented = false)
    {
        var dynamics = facts.Dynamics is { } d
            ? new DynamicsDocument(
                d.LongestMonologue.ToDictionary(kv => kv.Key, kv => (MonologueDocument?)new MonologueDocument(Round(kv.Value.Start), Round(kv.Value.End), Round(kv.Value.Duration))),
                d.HoldCandidates.Select(Span).ToList())
            : null;
        return ContractJson.Write(new AcousticFactsDocument(
            Round(facts.DurationSeconds), facts.Channels,
            facts.Speakers.ToDictionary(kv => kv.Key, kv => (SpeakerDocument?)new SpeakerDocument(Round(kv.Value.SpeechSeconds),
                kv.Value.Segments.Select(s => (double[]?)[Round(s.Start), Round(s.End)]).ToList())),
            facts.Silences.Select(Span).ToList(),
            facts.Overlaps.Select(o => (OverlapDocument?)new OverlapDocument(Round(o.Start), Round(o.End), o.By)).ToList(),
            facts.TalkRatio.ToDictionary(kv => kv.Key, kv => (double?)Round(kv.Value)),
            dynamics, facts.Separation is { } s ? Separation(s) : null), indented, relaxed: false);
    }

    /// <summary>Parses the contract JSON; throws <see cref="FormatException"/> with a one-line reason.</summary>
    public static AcousticFacts Parse(string json)
    {
        var root = ContractJson.Read(json, ContractJson.AcousticFacts, "acoustic facts: malformed JSON");
        var speakers = new Dictionary<string, SpeakerActivity>();
        foreach (var (name, speaker) in root.Speakers ?? [])
        {
            var segments = (speaker?.Segments ?? [])
                .Select(pair => pair is [var start, var end]
                    ? new TimeSpanS(start, end)
                    : throw new FormatException($"acoustic facts: speakers.{name}.segments must hold [start, end] pairs"))
                .ToList();
            speakers[name] = new SpeakerActivity(speaker?.SpeechS ?? segments.Sum(s => s.Duration), segments);
        }
        var silences = (root.Silences ?? []).Select(s => Span(s, "silences")).ToList();
        var overlaps = (root.Overlaps ?? []).Select(o => new Overlap(Num(o?.Start, "overlaps.start"), Num(o?.End, "overlaps.end"),
            o?.By ?? throw new FormatException("acoustic facts: overlaps.by is missing"))).ToList();
        var ratio = (root.TalkRatio ?? []).ToDictionary(kv => kv.Key, kv => Num(kv.Value, "talk_ratio"));
        CallDynamics? dynamics = root.Dynamics is { } dyn
            ? new CallDynamics(
                (dyn.LongestMonologue ?? []).ToDictionary(kv => kv.Key, kv => new TimeSpanS(
                    Num(kv.Value?.Start, "dynamics.longest_monologue.start"), Num(kv.Value?.End, "dynamics.longest_monologue.end"))),
                (dyn.HoldCandidates ?? []).Select(s => Span(s, "dynamics.hold_candidates")).ToList())
            : null;
        return new AcousticFacts(Num(root.DurationS, "duration_s"), root.Channels ?? 1, speakers, silences, overlaps, ratio)
        {
            Dynamics = dynamics, Separation = ParseSeparation(root.Separation),
        };
    }

    private static SeparationDocument Separation(SpeakerSeparationFacts separation) => separation.Separated
        ? new SeparationDocument(separation.Method, null, Round(separation.Confidence ?? 0), separation.Estimated.ToList(),
            separation.Turns.Select(t => (TurnDocument?)new TurnDocument(Round(t.Start), Round(t.End), t.Speaker, Round(t.Confidence))).ToList())
        : new SeparationDocument(separation.Method, separation.Reason, null, null, null);

    private static SpeakerSeparationFacts? ParseSeparation(SeparationDocument? separation)
    {
        if (separation is null) return null;
        var method = separation.Method ?? throw new FormatException("acoustic facts: separation.method is missing");
        var turns = (separation.Turns ?? [])
            .Select(t => new RoleTurn(Num(t?.Start, "separation.turns.start"), Num(t?.End, "separation.turns.end"),
                t?.Speaker ?? throw new FormatException("acoustic facts: separation.turns.speaker is missing"),
                Num(t?.Confidence, "separation.turns.confidence")))
            .ToList();
        return new SpeakerSeparationFacts(method, separation.Confidence, separation.Reason, turns);
    }

    private static SpanDocument? Span(TimeSpanS s) => new(Round(s.Start), Round(s.End));

    private static TimeSpanS Span(SpanDocument? s, string field) => new(Num(s?.Start, field + ".start"), Num(s?.End, field + ".end"));

    private static double Round(double v) => Math.Round(v, 3);

    private static double Num(double? value, string field) =>
        value ?? throw new FormatException($"acoustic facts: field '{field}' must be a number");
}

// The acoustic-facts contract, in the order `qa analyze` prints it.

internal sealed record AcousticFactsDocument(
    double? DurationS, int? Channels, Dictionary<string, SpeakerDocument?>? Speakers, IReadOnlyList<SpanDocument?>? Silences,
    IReadOnlyList<OverlapDocument?>? Overlaps, Dictionary<string, double?>? TalkRatio,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DynamicsDocument? Dynamics,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeparationDocument? Separation);

internal sealed record SpeakerDocument(double? SpeechS, IReadOnlyList<double[]?>? Segments);

internal sealed record SpanDocument(double? Start, double? End);

internal sealed record OverlapDocument(double? Start, double? End, string? By);

internal sealed record MonologueDocument(double? Start, double? End, double? DurationS);

internal sealed record DynamicsDocument(Dictionary<string, MonologueDocument?>? LongestMonologue, IReadOnlyList<SpanDocument?>? HoldCandidates);

/// <summary>A separated call has confidence, estimated and turns; one that could not be separated has the reason.</summary>
internal sealed record SeparationDocument(
    string? Method,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Confidence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Estimated,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TurnDocument?>? Turns);

internal sealed record TurnDocument(double? Start, double? End, string? Speaker, double? Confidence);
